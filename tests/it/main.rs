//! Integration tests: the binary on real pages, read back with the Arrow Parquet reader.

mod cli_tools;
mod formats;
mod pipeline_run;
mod scaleout;
mod tables;
mod bad_input;
mod faults;
mod invariants;
