use super::*;
use proptest::prelude::*;

#[test]
fn utf16_and_utf8_positions_on_multibyte_lines() {
    // "a😀b" — the emoji is 4 UTF-8 bytes and 2 UTF-16 units.
    let text = Text::new("x\na😀b中c\r\nlast");
    let b_offset = "x\na😀".len();
    assert_eq!(
        text.pos_of(b_offset, PositionEncoding::Utf16),
        Pos::new(1, 3)
    );
    assert_eq!(
        text.pos_of(b_offset, PositionEncoding::Utf8),
        Pos::new(1, 5)
    );
    assert_eq!(
        text.offset_of(Pos::new(1, 3), PositionEncoding::Utf16),
        b_offset
    );
    assert_eq!(
        text.offset_of(Pos::new(1, 5), PositionEncoding::Utf8),
        b_offset
    );
    // CJK: 3 bytes, 1 unit.
    let c_offset = "x\na😀b中".len();
    assert_eq!(
        text.pos_of(c_offset, PositionEncoding::Utf16),
        Pos::new(1, 5)
    );
    assert_eq!(
        text.pos_of(c_offset, PositionEncoding::Utf8),
        Pos::new(1, 9)
    );
}

#[test]
fn out_of_range_positions_clamp() {
    let text = Text::new("ab\r\ncd");
    assert_eq!(text.offset_of(Pos::new(0, 99), PositionEncoding::Utf16), 2);
    assert_eq!(text.offset_of(Pos::new(9, 0), PositionEncoding::Utf16), 6);
    // Inside a surrogate pair snaps to the code point's start.
    let emoji = Text::new("😀x");
    assert_eq!(emoji.offset_of(Pos::new(0, 1), PositionEncoding::Utf16), 0);
    assert_eq!(emoji.offset_of(Pos::new(0, 2), PositionEncoding::Utf8), 0);
}

#[test]
fn only_lsp_line_breaks_count() {
    // U+2028 and form feed are not line breaks for LSP.
    let text = Text::new("a\u{2028}b\u{c}c\rd");
    assert_eq!(text.len_lines(), 2);
    assert_eq!(
        text.pos_of(text.len_bytes(), PositionEncoding::Utf16),
        Pos::new(1, 1)
    );
}

#[test]
fn apply_change_reports_byte_edit() {
    let mut text = Text::new("héllo\nworld");
    let edit = text.apply_change(
        Some(PosRange {
            start: Pos::new(1, 0),
            end: Pos::new(1, 5),
        }),
        "wörld!",
        PositionEncoding::Utf16,
    );
    assert_eq!(text.to_string(), "héllo\nwörld!");
    assert_eq!(edit.start_byte, 7);
    assert_eq!(edit.old_end_byte, 12);
    assert_eq!(edit.new_end_byte, 14);
    assert_eq!(edit.new_end_point, (1, 7));
}

fn arb_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a"),
            Just("é"),
            Just("中"),
            Just("😀"),
            Just("\n"),
            Just("\r\n"),
            Just("\r"),
            Just(" "),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// Reference conversion straight from the string, for the property tests.
fn reference_pos(s: &str, offset: usize, enc: PositionEncoding) -> Pos {
    let before = &s[..offset];
    let mut line = 0;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
        i += 1;
    }
    let col = &before[line_start..];
    let character = match enc {
        PositionEncoding::Utf8 => col.len(),
        PositionEncoding::Utf16 => col.encode_utf16().count(),
    };
    Pos::new(line, character as u32)
}

proptest! {
    #[test]
    fn positions_round_trip(s in arb_text()) {
        let text = Text::new(&s);
        for (offset, _) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
            // A "\r\n" pair: the offset between them is not a line position of its own.
            if offset > 0 && s.as_bytes()[offset - 1] == b'\r' && s.as_bytes().get(offset) == Some(&b'\n') {
                continue;
            }
            for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                let pos = text.pos_of(offset, enc);
                prop_assert_eq!(pos, reference_pos(&s, offset, enc));
                prop_assert_eq!(text.offset_of(pos, enc), offset);
            }
        }
    }

    #[test]
    fn random_edits_match_string_reference(
        s in arb_text(),
        edits in proptest::collection::vec((0usize..60, 0usize..60, arb_text()), 0..12),
    ) {
        let mut text = Text::new(&s);
        let mut reference = s.clone();
        for (a, b, insert) in edits {
            let (a, b) = (a.min(reference.len()), b.min(reference.len()));
            let (mut a, mut b) = if a <= b { (a, b) } else { (b, a) };
            while !reference.is_char_boundary(a) { a -= 1; }
            while !reference.is_char_boundary(b) { b -= 1; }
            let enc = if insert.len() % 2 == 0 { PositionEncoding::Utf16 } else { PositionEncoding::Utf8 };
            let range = PosRange { start: text.pos_of(a, enc), end: text.pos_of(b, enc) };
            // Positions between '\r' and '\n' do not exist; pos_of maps them to the next line.
            let start = text.offset_of(range.start, enc);
            let end = text.offset_of(range.end, enc);
            text.apply_change(Some(range), &insert, enc);
            reference.replace_range(start..end, &insert);
            prop_assert_eq!(text.to_string(), reference.clone());
        }
    }
}
