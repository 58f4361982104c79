//! A sanitising reader in front of tower-lsp-server's stdin decoder.
//!
//! tower-lsp-server decodes frames with tokio-util's `FramedRead`, which ends the stream after the
//! first decode error: one malformed frame (bad JSON, a missing `Content-Length`, garbage bytes)
//! would make the server stop reading forever. This reader re-frames the input itself and passes
//! on only well-formed frames; a frame whose body is not JSON is replaced by a
//! `codomyrmex/malformedMessage` notification (logged, then ignored), garbage between frames is
//! skipped, and a frame larger than [`MAX_FRAME`] is discarded.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, ReadBuf};

/// Largest accepted message body.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

pub struct SanitizingReader<R> {
    inner: R,
    input: BytesMut,
    output: BytesMut,
    /// Bytes of an oversized body still to be skipped.
    skipping: usize,
    eof: bool,
}

impl<R> SanitizingReader<R> {
    pub fn new(inner: R) -> Self {
        SanitizingReader {
            inner,
            input: BytesMut::with_capacity(64 * 1024),
            output: BytesMut::new(),
            skipping: 0,
            eof: false,
        }
    }
}

enum Step {
    /// A frame (or replacement) was produced, or bytes were skipped: try again.
    Progress,
    /// More input is needed.
    NeedMore,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn malformed_notification(reason: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "method": "codomyrmex/malformedMessage",
        "params": {"reason": reason},
    })
    .to_string();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend(body.into_bytes());
    frame
}

impl<R> SanitizingReader<R> {
    fn step(&mut self) -> Step {
        if self.skipping > 0 {
            let n = self.skipping.min(self.input.len());
            self.input.advance(n);
            self.skipping -= n;
            return if self.skipping == 0 {
                Step::Progress
            } else {
                Step::NeedMore
            };
        }
        if self.input.is_empty() {
            return Step::NeedMore;
        }
        // Skip anything before the next header block.
        match find(&self.input, b"Content-Length") {
            Some(0) => {}
            Some(at) => {
                tracing::warn!("skipping {at} bytes of garbage before a frame");
                self.input.advance(at);
                return Step::Progress;
            }
            None => {
                // Keep a tail in case the header name is split across reads.
                let keep = "Content-Length".len();
                if self.input.len() > keep {
                    let drop = self.input.len() - keep;
                    tracing::warn!("skipping {drop} bytes of garbage");
                    self.input.advance(drop);
                }
                return Step::NeedMore;
            }
        }
        let Some(header_end) = find(&self.input, b"\r\n\r\n") else {
            if self.input.len() > 8 * 1024 {
                tracing::warn!("header block too long; skipping it");
                self.input.advance(1);
                return Step::Progress;
            }
            return Step::NeedMore;
        };
        let headers = String::from_utf8_lossy(&self.input[..header_end]).to_string();
        let mut length = None;
        for line in headers.split("\r\n") {
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let Some(length) = length else {
            tracing::warn!("frame without a valid Content-Length; skipping its headers");
            self.input.advance(header_end + 4);
            return Step::Progress;
        };
        if length > MAX_FRAME {
            tracing::error!(
                "frame of {length} bytes is over the {MAX_FRAME}-byte limit; discarding it"
            );
            self.input.advance(header_end + 4);
            self.skipping = length;
            self.output
                .extend_from_slice(&malformed_notification("frame too large"));
            return Step::Progress;
        }
        let total = header_end + 4 + length;
        if self.input.len() < total {
            return Step::NeedMore;
        }
        let body = &self.input[header_end + 4..total];
        match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => {
                self.output
                    .extend_from_slice(format!("Content-Length: {length}\r\n\r\n").as_bytes());
                self.output.extend_from_slice(body);
            }
            Err(err) => {
                tracing::error!("malformed JSON-RPC message ignored: {err}");
                self.output
                    .extend_from_slice(&malformed_notification(&format!("invalid JSON: {err}")));
            }
        }
        self.input.advance(total);
        Step::Progress
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for SanitizingReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if !this.output.is_empty() {
                let n = this.output.len().min(buf.remaining());
                buf.put_slice(&this.output[..n]);
                this.output.advance(n);
                return Poll::Ready(Ok(()));
            }
            match this.step() {
                Step::Progress => continue,
                Step::NeedMore if this.eof => return Poll::Ready(Ok(())),
                Step::NeedMore => {}
            }
            let mut chunk = [0u8; 16 * 1024];
            let mut read_buf = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read_buf) {
                Poll::Ready(Ok(())) => {
                    let filled = read_buf.filled();
                    if filled.is_empty() {
                        this.eof = true;
                    } else {
                        this.input.extend_from_slice(filled);
                    }
                }
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn sanitize(input: &[u8]) -> String {
        let mut reader = SanitizingReader::new(input);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).await.unwrap_or_default();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn passes_good_frames_and_replaces_bad_ones() {
        let good = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}";
        let input = format!(
            "Content-Length: {}\r\n\r\n{good}garbage!!Content-Length: 5\r\n\r\n{{oops{}Content-Type: x\r\n\r\nContent-Length: {}\r\n\r\n{good}",
            good.len(),
            "",
            good.len()
        );
        let out = sanitize(input.as_bytes()).await;
        assert_eq!(out.matches(good).count(), 2, "{out}");
        assert!(out.contains("codomyrmex/malformedMessage"), "{out}");
        assert!(!out.contains("garbage"));
        assert!(!out.contains("{oops"));
    }

    #[tokio::test]
    async fn split_reads_and_oversized_frames() {
        let good = "{\"a\":1}";
        let big = format!("Content-Length: {}\r\n\r\n", MAX_FRAME + 1);
        let input = format!("{big}Content-Length: {}\r\n\r\n{good}", good.len());
        let out = sanitize(input.as_bytes()).await;
        // The oversized frame swallows what follows (it claims those bytes); nothing panics.
        assert!(out.contains("frame too large"));
    }
}
