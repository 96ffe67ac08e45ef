//! Integration tests: the binary on real pages, read back with the Arrow Parquet reader.

mod bad_input;
mod cli_tools;
mod faults;
mod formats;
mod invariants;
mod pipeline_run;
mod scaleout;
mod tables;
