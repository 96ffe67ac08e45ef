//! corpusmill: scraped web text in, analysis-ready corpus tables (Parquet) out.
//!
//! Each stage is a module of pure functions over text that return [`span::Span`]s into it;
//! [`pipeline::Pipeline`] composes them for one document in memory, [`corpus`] runs it over
//! files in parallel, and [`output`] owns the Arrow schemas and Parquet writing.
//!
//! ```
//! use corpusmill::pipeline::{Config, Pipeline};
//! let pipeline = Pipeline::new(Config::default());
//! let document = pipeline.process("The Red Army held Stalingrad. Leave a Reply");
//! for sentence in &document.sentences {
//!     assert_eq!(&document.text[sentence.span.range()].trim(), &&document.text[sentence.span.range()]);
//! }
//! ```

#![deny(missing_docs)]

#[macro_use]
pub mod console;
pub mod boilerplate;
pub mod corpus;
pub mod decode;
pub mod entity;
pub mod eval;
pub mod input;
pub mod inspect;
pub mod lang;
mod lang_lists;
pub mod linestats;
pub mod normalize;
pub mod output;
mod packed;
pub mod pipeline;
pub mod report;
pub mod scaleout;
pub mod sentence;
pub mod span;
pub mod stats;
pub mod stem;
pub mod token;
