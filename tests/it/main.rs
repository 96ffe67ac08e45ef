//! Integration tests: the binary on real pages, read back with the Arrow Parquet reader.

mod pipeline_run;
mod tables;
