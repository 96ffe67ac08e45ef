//! Bytes through decode and the whole in-memory pipeline, checking the span invariants the
//! tables rely on: every span on char boundaries, ordered, inside its sentence.
#![no_main]

use corpusmill::pipeline::{Config, Pipeline};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| Pipeline::new(Config::default()));

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = corpusmill::decode::decode(data) else {
        return;
    };
    let document = PIPELINE.process(&decoded.text);
    let text = &document.text;
    let mut previous = 0;
    for sentence in &document.sentences {
        let (start, end) = (sentence.span.start as usize, sentence.span.end as usize);
        assert!(previous <= start && start <= end && end <= text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        previous = end;
        let mut token_end = start;
        for token in &document.tokens[sentence.tokens.start as usize..sentence.tokens.end as usize]
        {
            let (a, b) = (token.span.start as usize, token.span.end as usize);
            assert!(token_end <= a && a < b && b <= end);
            assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
            token_end = b;
        }
    }
    let mut entity_end = 0;
    for (sentence, entity) in &document.entities {
        let sentence = &document.sentences[*sentence as usize];
        assert!(entity_end <= entity.span.start && sentence.span.start <= entity.span.start);
        assert!(entity.span.end <= sentence.span.end);
        entity_end = entity.span.end;
    }
});
