//! Document text and position conversion — the only module that touches `ropey`.
//!
//! LSP positions are (line, character) where `character` counts UTF-16 code units or UTF-8 bytes
//! depending on the negotiated `positionEncoding`; tree-sitter wants byte offsets and
//! (row, byte-column) points. Every conversion between them lives here, and every out-of-range
//! input is clamped rather than allowed to panic. Lines break at `\n`, `\r\n` and `\r` only, as LSP
//! says (ropey is built without `unicode_lines`).

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;

/// How LSP `character` offsets are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

/// A zero-based (line, character) position in some [`PositionEncoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    pub line: u32,
    pub character: u32,
}

impl Pos {
    pub fn new(line: u32, character: u32) -> Pos {
        Pos { line, character }
    }
}

/// A half-open range of positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct PosRange {
    pub start: Pos,
    pub end: Pos,
}

/// The byte-level description of one edit, in the shape tree-sitter's `InputEdit` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteEdit {
    pub start_byte: usize,
    pub old_end_byte: usize,
    pub new_end_byte: usize,
    pub start_point: (usize, usize),
    pub old_end_point: (usize, usize),
    pub new_end_point: (usize, usize),
}

impl ByteEdit {
    pub fn to_input_edit(self) -> tree_sitter::InputEdit {
        let point = |(row, column): (usize, usize)| tree_sitter::Point { row, column };
        tree_sitter::InputEdit {
            start_byte: self.start_byte,
            old_end_byte: self.old_end_byte,
            new_end_byte: self.new_end_byte,
            start_position: point(self.start_point),
            old_end_position: point(self.old_end_point),
            new_end_position: point(self.new_end_point),
        }
    }

    /// Maps a byte offset in the old text to the new text (offsets inside the replaced span move
    /// to its end).
    pub fn map_offset(&self, offset: usize) -> usize {
        if offset <= self.start_byte {
            offset
        } else if offset >= self.old_end_byte {
            offset - self.old_end_byte + self.new_end_byte
        } else {
            self.new_end_byte
        }
    }
}

/// A document's text.
#[derive(Debug, Clone, Default)]
pub struct Text {
    rope: Rope,
}

impl Text {
    pub fn new(text: &str) -> Text {
        Text {
            rope: Rope::from_str(text),
        }
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn len_lines(&self) -> usize {
        self.rope.len_lines()
    }

    /// The byte range `range` (clamped, snapped to char boundaries) as text.
    pub fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let len = self.rope.len_bytes();
        let start = self.snap(range.start.min(len));
        let end = self.snap(range.end.min(len)).max(start);
        self.rope.byte_slice(start..end).into()
    }

    /// Text of the zero-based line `line` without its line break (empty when out of range).
    pub fn line(&self, line: usize) -> Cow<'_, str> {
        if line >= self.rope.len_lines() {
            return Cow::Borrowed("");
        }
        let start = self.rope.line_to_byte(line);
        let end = if line + 1 < self.rope.len_lines() {
            self.rope.line_to_byte(line + 1)
        } else {
            self.rope.len_bytes()
        };
        let text: Cow<'_, str> = self.rope.byte_slice(start..end).into();
        match text {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim_end_matches(['\n', '\r'])),
            Cow::Owned(s) => Cow::Owned(s.trim_end_matches(['\n', '\r']).to_string()),
        }
    }

    /// Byte offset of the start of zero-based `line` (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        if line >= self.rope.len_lines() {
            self.rope.len_bytes()
        } else {
            self.rope.line_to_byte(line)
        }
    }

    /// Zero-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.rope.byte_to_line(offset.min(self.rope.len_bytes()))
    }

    pub fn source(&self) -> Source<'_> {
        Source::Rope(&self.rope)
    }

    fn snap(&self, byte: usize) -> usize {
        // Snap down to a char boundary.
        let char_idx = self.rope.byte_to_char(byte);
        self.rope.char_to_byte(char_idx)
    }

    /// Converts an LSP position to a byte offset. Lines past the end clamp to the end of the text;
    /// characters past the end of a line clamp to the end of that line (before its line break);
    /// a character inside a multi-unit code point snaps to that code point's start.
    pub fn offset_of(&self, pos: Pos, enc: PositionEncoding) -> usize {
        let rope = &self.rope;
        let line = pos.line as usize;
        if line >= rope.len_lines() {
            return rope.len_bytes();
        }
        let line_start_char = rope.line_to_char(line);
        let line_slice = rope.line(line);
        // Characters of the line without its break.
        let mut line_chars = line_slice.len_chars();
        while line_chars > 0 {
            let c = line_slice.char(line_chars - 1);
            if c == '\n' || c == '\r' {
                line_chars -= 1;
            } else {
                break;
            }
        }
        let want = pos.character as usize;
        let char_in_line = match enc {
            PositionEncoding::Utf8 => {
                let line_bytes = line_slice.char_to_byte(line_chars);
                let b = want.min(line_bytes);
                line_slice.byte_to_char(b)
            }
            PositionEncoding::Utf16 => {
                let line_units = line_slice.char_to_utf16_cu(line_chars);
                let u = want.min(line_units);
                line_slice.utf16_cu_to_char(u)
            }
        };
        rope.char_to_byte(line_start_char + char_in_line)
    }

    /// Converts a byte offset (clamped) to an LSP position.
    pub fn pos_of(&self, offset: usize, enc: PositionEncoding) -> Pos {
        let rope = &self.rope;
        let offset = offset.min(rope.len_bytes());
        let char_idx = rope.byte_to_char(offset);
        let line = rope.char_to_line(char_idx);
        let line_start_char = rope.line_to_char(line);
        let character = match enc {
            PositionEncoding::Utf8 => offset - rope.line_to_byte(line),
            PositionEncoding::Utf16 => {
                rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start_char)
            }
        };
        Pos::new(line as u32, character as u32)
    }

    /// Converts a byte range to an LSP range.
    pub fn range_of(&self, range: Range<usize>, enc: PositionEncoding) -> PosRange {
        PosRange {
            start: self.pos_of(range.start, enc),
            end: self.pos_of(range.end, enc),
        }
    }

    /// Converts an LSP range to a byte range (clamped, start <= end).
    pub fn byte_range_of(&self, range: PosRange, enc: PositionEncoding) -> Range<usize> {
        let start = self.offset_of(range.start, enc);
        let end = self.offset_of(range.end, enc);
        if end < start { end..start } else { start..end }
    }

    /// The tree-sitter point (row, byte column) of a byte offset.
    pub fn point_of(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.rope.len_bytes());
        let line = self.rope.byte_to_line(offset);
        (line, offset - self.rope.line_to_byte(line))
    }

    /// Replaces `range` (or the whole text when `None`) with `new_text`, returning the byte edit.
    pub fn apply_change(
        &mut self,
        range: Option<PosRange>,
        new_text: &str,
        enc: PositionEncoding,
    ) -> ByteEdit {
        let bytes = match range {
            Some(range) => self.byte_range_of(range, enc),
            None => 0..self.rope.len_bytes(),
        };
        self.replace_bytes(bytes, new_text)
    }

    /// Replaces a byte range (clamped and snapped to char boundaries) with `new_text`.
    pub fn replace_bytes(&mut self, bytes: Range<usize>, new_text: &str) -> ByteEdit {
        let len = self.rope.len_bytes();
        let start = self.snap(bytes.start.min(len));
        let old_end = self.snap(bytes.end.min(len)).max(start);
        let start_point = self.point_of(start);
        let old_end_point = self.point_of(old_end);
        let start_char = self.rope.byte_to_char(start);
        let old_end_char = self.rope.byte_to_char(old_end);
        self.rope.remove(start_char..old_end_char);
        self.rope.insert(start_char, new_text);
        let new_end = start + new_text.len();
        ByteEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_point,
            old_end_point,
            new_end_point: self.point_of(new_end),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for chunk in self.rope.chunks() {
            f.write_str(chunk)?;
        }
        Ok(())
    }
}

/// Read access to source text for parsing and querying, either a plain string or a rope,
/// without copying the rope.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Str(&'a str),
    Rope(&'a Rope),
}

impl<'a> Source<'a> {
    pub fn len(&self) -> usize {
        match self {
            Source::Str(s) => s.len(),
            Source::Rope(r) => r.len_bytes(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes from `byte` to the end of the chunk that holds it (empty at or past the end).
    pub fn chunk_at(&self, byte: usize) -> &'a [u8] {
        match self {
            Source::Str(s) => s.as_bytes().get(byte..).unwrap_or(&[]),
            Source::Rope(r) => {
                if byte >= r.len_bytes() {
                    return &[];
                }
                let (chunk, chunk_start, _, _) = r.chunk_at_byte(byte);
                &chunk.as_bytes()[byte - chunk_start..]
            }
        }
    }

    /// The text of a byte range (borrowed when contiguous). Out-of-range input is clamped.
    pub fn slice(&self, range: Range<usize>) -> Cow<'a, str> {
        match self {
            Source::Str(s) => {
                let end = range.end.min(s.len());
                let start = range.start.min(end);
                match s.get(start..end) {
                    Some(t) => Cow::Borrowed(t),
                    None => {
                        Cow::Owned(String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned())
                    }
                }
            }
            Source::Rope(r) => {
                let len = r.len_bytes();
                let end = range.end.min(len);
                let start = range.start.min(end);
                let s = r.byte_to_char(start);
                let e = r.byte_to_char(end);
                r.slice(s..e).into()
            }
        }
    }

    /// Iterates over the text in contiguous chunks.
    pub fn chunks(&self) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match *self {
            Source::Str(s) => Box::new(std::iter::once(s)),
            Source::Rope(r) => Box::new(r.chunks()),
        }
    }

    /// The whole text, borrowed when it is contiguous.
    pub fn full_text(&self) -> Cow<'a, str> {
        self.slice(0..self.len())
    }
}

/// Chunk iterator handed to tree-sitter's query cursor.
pub struct SourceChunks<'a> {
    inner: Box<dyn Iterator<Item = &'a [u8]> + 'a>,
}

impl<'a> Iterator for SourceChunks<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        self.inner.next()
    }
}

impl<'a> tree_sitter::TextProvider<&'a [u8]> for Source<'a> {
    type I = SourceChunks<'a>;

    fn text(&mut self, node: tree_sitter::Node) -> Self::I {
        let range = node.byte_range();
        match *self {
            Source::Str(s) => {
                let end = range.end.min(s.len());
                let start = range.start.min(end);
                SourceChunks {
                    inner: Box::new(std::iter::once(&s.as_bytes()[start..end])),
                }
            }
            Source::Rope(r) => {
                let end = range.end.min(r.len_bytes());
                let start = range.start.min(end);
                let slice = r.byte_slice(start..end);
                SourceChunks {
                    inner: Box::new(slice.chunks().map(str::as_bytes)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
