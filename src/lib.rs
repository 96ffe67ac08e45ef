//! corpusmill: scraped web text in, analysis-ready corpus tables (Parquet) out.

#![deny(missing_docs)]

pub mod boilerplate;
pub mod entity;
pub mod lang;
pub mod sentence;
pub mod span;
pub mod token;
