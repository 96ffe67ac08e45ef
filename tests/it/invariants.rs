//! Invariants of the in-memory pipeline on generated text: no panic; every span on char
//! boundaries, ordered, non-overlapping within its table and inside its sentence; char and byte
//! offsets agree; tokens cover all non-whitespace of each sentence; stems only on words.

use corpusmill::pipeline::{Config, Document, Pipeline};
use corpusmill::token::TokenKind;
use proptest::prelude::*;
use std::sync::LazyLock;

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| Pipeline::new(Config::default()));

/// Pieces of realistic web text: several scripts, punctuation, abbreviations, URLs, numbers,
/// emoji and combining marks, and the whitespace between them.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "Stalingrad", "the", "Red", "Army", "held", "Exército", "Vermelho", "derrotou", "São Paulo",
            "Zürich", "Москва", "Иван", "Петров", "東京", "日本語の文", "Αθήνα", "القاهرة", "ירושלים",
            "naïve", "e\u{301}", "a\u{300}\u{301}", "👩\u{200d}👩\u{200d}👧", "🇧🇷", "👍🏽", "l'homme",
            "don't", "well-known", "U.S.", "Mr.", "Dr.", "e.g.", "etc.", "Sr.", "z.B.", "1.", "2019",
            "3,14", "1.000.000", "10:30", "https://example.com/a?b=c&d=e.", "www.publico.pt",
            "info@example.org", "#tag", "@user", "C++", "—", "…", "«", "»", "“", "”", "(", ")",
            "\u{a0}", "\u{200b}", "\u{feff}", "\u{fffd}",
        ])
        .prop_map(str::to_owned),
        2 => prop::sample::select(vec![" ", " ", " ", "\n", "\n\n", "\r\n", "\t", ". ", "! ", "? ", ", ", "; ", ": "])
            .prop_map(str::to_owned),
        1 => "[a-zA-Z]{1,12}",
        1 => "\\PC{1,6}",
    ]
}

fn realistic_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..120).prop_map(|pieces| pieces.concat())
}

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "\\PC{0,300}", "[ \\n\\t.!?a-z]{0,200}"]
}

fn check(document: &Document) {
    let text = &document.text;
    let mut previous_sentence_end = 0usize;
    for sentence in &document.sentences {
        let (start, end) = (sentence.span.start as usize, sentence.span.end as usize);
        assert!(
            start <= end && end <= text.len(),
            "sentence {start}..{end} out of text"
        );
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        assert!(
            start >= previous_sentence_end,
            "sentences overlap or are out of order"
        );
        previous_sentence_end = end;
        let sentence_text = &text[start..end];

        // Tokens in order, inside the sentence, covering all its non-whitespace.
        let mut covered = vec![false; sentence_text.len()];
        let mut previous_token_end = start;
        for index in sentence.tokens.start as usize..sentence.tokens.end as usize {
            let token = document.tokens[index];
            let (token_start, token_end) = (token.span.start as usize, token.span.end as usize);
            assert!(token_start < token_end, "empty token");
            assert!(
                token_start >= previous_token_end,
                "tokens overlap or are out of order"
            );
            assert!(token_end <= end, "token outside its sentence");
            assert!(text.is_char_boundary(token_start) && text.is_char_boundary(token_end));
            previous_token_end = token_end;
            covered[token_start - start..token_end - start]
                .iter_mut()
                .for_each(|c| *c = true);
            assert!(
                document.forms.stem(index).is_none() || token.kind == TokenKind::Word,
                "a {:?} token has a stem",
                token.kind
            );
        }
        for (offset, c) in sentence_text.char_indices() {
            if !c.is_whitespace() && !covered[offset] {
                panic!(
                    "{c:?} at {} of sentence {sentence_text:?} is in no token",
                    start + offset
                );
            }
        }
    }

    // Entities: on token boundaries of their sentence, ordered, non-overlapping.
    let mut previous_entity_end = 0usize;
    for &(sentence_index, ref entity) in &document.entities {
        let sentence = &document.sentences[sentence_index as usize];
        let (start, end) = (entity.span.start as usize, entity.span.end as usize);
        assert!(
            start >= previous_entity_end,
            "entities overlap or are out of order"
        );
        previous_entity_end = end;
        assert!(sentence.span.start as usize <= start && end <= sentence.span.end as usize);
        assert!(
            sentence.tokens.start <= entity.tokens.start
                && entity.tokens.end <= sentence.tokens.end
        );
        assert!(entity.tokens.start < entity.tokens.end);
        let first = document.tokens[entity.tokens.start as usize];
        let last = document.tokens[entity.tokens.end as usize - 1];
        assert_eq!(
            (first.span.start, last.span.end),
            (entity.span.start, entity.span.end)
        );
    }
}

/// Char offsets as the tables derive them (a prefix count) agree with slicing by chars.
fn check_char_offsets(document: &Document) {
    let text = &document.text;
    for sentence in &document.sentences {
        let char_start = text[..sentence.span.start as usize].chars().count();
        let char_len = text[sentence.span.range()].chars().count();
        let by_chars: String = text.chars().skip(char_start).take(char_len).collect();
        assert_eq!(by_chars, &text[sentence.span.range()]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn realistic_text_keeps_every_invariant(raw in realistic_text()) {
        let document = PIPELINE.process(&raw);
        check(&document);
        check_char_offsets(&document);
    }

    #[test]
    fn arbitrary_text_keeps_every_invariant(raw in arbitrary_text()) {
        let document = PIPELINE.process(&raw);
        check(&document);
        check_char_offsets(&document);
    }

    #[test]
    fn arbitrary_bytes_decode_and_process(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(decoded) = corpusmill::decode::decode(&bytes) {
            check(&PIPELINE.process(&decoded.text));
        }
    }
}
