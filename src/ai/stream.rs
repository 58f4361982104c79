//! Stream framing: Server-Sent Events (OpenAI, Anthropic, Gemini) and NDJSON (Ollama).
//!
//! Both parsers are fed raw byte chunks as they come off the socket and hand back complete
//! frames. A line longer than the limit is an error (a server that never sends a newline cannot
//! make us buffer without bound). An unterminated final line is dropped by the SSE parser, so a
//! stream cut in the middle of an event is seen as truncated rather than as a short event.

/// Longest accepted line (4 MiB).
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// Framing failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a line longer than {0} bytes")]
    LineTooLong(usize),
    #[error("text that is not UTF-8")]
    NotUtf8,
}

/// Splits bytes into lines (`\n` or `\r\n`), bounded.
#[derive(Debug)]
pub struct LineBuffer {
    buf: Vec<u8>,
    start: usize,
    max: usize,
}

impl LineBuffer {
    pub fn new(max: usize) -> LineBuffer {
        LineBuffer {
            buf: Vec::new(),
            start: 0,
            max,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line without its terminator, or `None` when more bytes are needed.
    pub fn next_line(&mut self) -> Result<Option<String>, FrameError> {
        let pending = &self.buf[self.start..];
        match pending.iter().position(|&b| b == b'\n') {
            Some(pos) => {
                if pos > self.max {
                    return Err(FrameError::LineTooLong(self.max));
                }
                let mut line = &pending[..pos];
                if line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                let text = std::str::from_utf8(line)
                    .map_err(|_| FrameError::NotUtf8)?
                    .to_string();
                self.start += pos + 1;
                if self.start > 64 * 1024 {
                    self.buf.drain(..self.start);
                    self.start = 0;
                }
                Ok(Some(text))
            }
            None if pending.len() > self.max => Err(FrameError::LineTooLong(self.max)),
            None => Ok(None),
        }
    }

    /// Bytes after the last newline (an unterminated final line).
    pub fn remainder(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field; empty for the default `message` type.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Incremental SSE parser (the WHATWG algorithm minus `id`/`retry`, which we do not use).
#[derive(Debug)]
pub struct SseParser {
    lines: LineBuffer,
    event: String,
    data: String,
    has_data: bool,
}

impl SseParser {
    pub fn new(max_line: usize) -> SseParser {
        SseParser {
            lines: LineBuffer::new(max_line),
            event: String::new(),
            data: String::new(),
            has_data: false,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.lines.push(bytes);
    }

    /// The next complete event, skipping comments (`: ping`) and empty dispatches.
    pub fn next_event(&mut self) -> Result<Option<SseEvent>, FrameError> {
        while let Some(line) = self.lines.next_line()? {
            if line.is_empty() {
                if self.has_data || !self.event.is_empty() {
                    let event = SseEvent {
                        event: std::mem::take(&mut self.event),
                        data: std::mem::take(&mut self.data),
                    };
                    self.has_data = false;
                    return Ok(Some(event));
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line.as_str(), ""),
            };
            match field {
                "event" => self.event = value.to_string(),
                "data" => {
                    if self.has_data {
                        self.data.push('\n');
                    }
                    self.data.push_str(value);
                    self.has_data = true;
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// At end of body: an event whose lines were all complete but which lacked the final blank
    /// line is still delivered; a half-received line is dropped.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if self.has_data {
            self.has_data = false;
            return Some(SseEvent {
                event: std::mem::take(&mut self.event),
                data: std::mem::take(&mut self.data),
            });
        }
        None
    }
}

/// Incremental NDJSON splitter: one JSON document per non-empty line.
#[derive(Debug)]
pub struct NdjsonParser {
    lines: LineBuffer,
}

impl NdjsonParser {
    pub fn new(max_line: usize) -> NdjsonParser {
        NdjsonParser {
            lines: LineBuffer::new(max_line),
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.lines.push(bytes);
    }

    pub fn next_line(&mut self) -> Result<Option<String>, FrameError> {
        while let Some(line) = self.lines.next_line()? {
            if !line.trim().is_empty() {
                return Ok(Some(line));
            }
        }
        Ok(None)
    }

    /// At end of body: a final line without `\n` (returned so a cut-off JSON fails to parse).
    pub fn finish(&mut self) -> Result<Option<String>, FrameError> {
        let rest = self.lines.remainder();
        if rest.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let text = std::str::from_utf8(rest)
            .map_err(|_| FrameError::NotUtf8)?
            .to_string();
        self.lines.push(b"\n");
        let _ = self.lines.next_line();
        Ok(Some(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(input: &[&[u8]]) -> Vec<SseEvent> {
        let mut parser = SseParser::new(1024);
        let mut out = Vec::new();
        for chunk in input {
            parser.push(chunk);
            while let Some(ev) = parser.next_event().unwrap_or(None) {
                out.push(ev);
            }
        }
        out.extend(parser.finish());
        out
    }

    #[test]
    fn sse_events_across_chunk_boundaries() {
        let got = events(&[
            b"event: message_start\r\nda",
            b"ta: {\"a\":1}\r\n\r\n: ping\n\ndata: x\ndata: y\n\n",
        ]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].event, "message_start");
        assert_eq!(got[0].data, "{\"a\":1}");
        assert_eq!(got[1].data, "x\ny");
    }

    #[test]
    fn sse_half_line_at_eof_is_dropped() {
        let got = events(&[b"data: {\"partial\""]);
        assert!(got.is_empty());
        let got = events(&[b"data: [DONE]\n"]);
        assert_eq!(got[0].data, "[DONE]");
    }

    #[test]
    fn long_lines_are_rejected() {
        let mut parser = SseParser::new(8);
        parser.push(b"data: 0123456789");
        assert_eq!(parser.next_event(), Err(FrameError::LineTooLong(8)));
    }

    #[test]
    fn ndjson_lines_and_unterminated_tail() {
        let mut parser = NdjsonParser::new(1024);
        parser.push(b"{\"a\":1}\n\n{\"b\"");
        assert_eq!(parser.next_line(), Ok(Some("{\"a\":1}".to_string())));
        assert_eq!(parser.next_line(), Ok(None));
        parser.push(b":2}");
        assert_eq!(parser.finish(), Ok(Some("{\"b\":2}".to_string())));
        assert_eq!(parser.finish(), Ok(None));
    }
}
