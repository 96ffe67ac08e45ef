//! Command-line parsing and reporting. All the work is done by the library.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use corpusmill::corpus::{self, RunOptions, RunSummary};
use corpusmill::normalize::NormalForm;
use corpusmill::output::{Table, WriteOptions};
use corpusmill::pipeline::Config;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when the run completed but some inputs failed.
const EXIT_SOME_FAILED: u8 = 3;
/// Exit code when the run could not complete (unwritable output, missing input).
const EXIT_FATAL: u8 = 1;

#[derive(Parser)]
#[command(name = "corpusmill", version, about = "Scraped web text in, analysis-ready corpus tables (Parquet) out.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Process inputs into the five Parquet tables (the default command).
    Run(RunArgs),
    /// Print the output tables' schemas.
    Schema,
    /// Measure quality against gold data.
    #[command(subcommand)]
    Eval(corpusmill::eval::EvalCommand),
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Input files or directories (walked recursively in sorted order).
    #[arg(default_value = "raw")]
    inputs: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Unicode normalization form.
    #[arg(long, value_enum, default_value = "nfc")]
    normalize: Form,
    /// Overwrite a non-empty output directory.
    #[arg(long)]
    force: bool,
    /// Skip documents larger than this many bytes (recorded as `too_large`).
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    max_doc_bytes: u64,
    /// zstd compression level of the Parquet files.
    #[arg(long, default_value_t = 3)]
    zstd_level: i32,
    /// Rows per Parquet row group.
    #[arg(long, default_value_t = 128 * 1024)]
    row_group_rows: usize,
    /// Switch off a boilerplate rule by name (repeatable); see `removed_lines.rule`.
    #[arg(long = "keep-rule", value_name = "NAME")]
    keep_rules: Vec<String>,
    /// Keep reader comments as text (comment forms are still removed).
    #[arg(long)]
    keep_comments: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

impl Default for RunArgs {
    fn default() -> RunArgs {
        RunArgs::parse_from(["run"])
    }
}

impl RunArgs {
    fn parse_from<I: IntoIterator<Item = &'static str>>(args: I) -> RunArgs {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: RunArgs,
        }
        Wrapper::parse_from(args).args
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Form {
    Nfc,
    Nfkc,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Run(args) => run(args),
        Command::Schema => {
            print_schema();
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(command) => corpusmill::eval::run(&command),
    };
    result.unwrap_or_else(|error| {
        eprintln!("corpusmill: error: {error:#}");
        ExitCode::from(EXIT_FATAL)
    })
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = Config {
        normalize: match args.normalize {
            Form::Nfc => NormalForm::Nfc,
            Form::Nfkc => NormalForm::Nfkc,
        },
        keep_rules: args.keep_rules,
        keep_comments: args.keep_comments,
    };
    let options = RunOptions {
        inputs: args.inputs,
        out: args.out,
        threads: args.threads,
        force: args.force,
        max_doc_bytes: args.max_doc_bytes,
        write: WriteOptions {
            zstd_level: args.zstd_level,
            row_group_rows: args.row_group_rows,
            metadata: Vec::new(),
        },
    };
    let summary = corpus::run(&config, &options)
        .with_context(|| format!("run into {}", options.out.display()))?;
    if !args.quiet {
        print_summary(&summary, &options.out);
    }
    Ok(if summary.any_failed() {
        ExitCode::from(EXIT_SOME_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(summary: &RunSummary, out: &std::path::Path) {
    let documents: u64 = summary.documents_by_status.values().sum();
    let statuses: Vec<String> = summary
        .documents_by_status
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    println!("documents      {documents} ({})", statuses.join(", "));
    for table in ["sentences", "tokens", "entities", "removed_lines"] {
        println!("{table:<14} {}", summary.rows.get(table).copied().unwrap_or(0));
    }
    let langs: Vec<String> = summary
        .documents_by_lang
        .iter()
        .map(|(lang, n)| format!("{lang} {n}"))
        .collect();
    println!("languages      {}", langs.join(", "));
    println!(
        "throughput     {:.2} MB in {:.2} s = {:.2} MB/s",
        summary.input_bytes as f64 / 1e6,
        summary.seconds,
        summary.mb_per_second
    );
    println!("tables         {}", out.display());
}

fn print_schema() {
    let mut text = String::new();
    for table in Table::ALL {
        text.push_str(table.name());
        text.push('\n');
        for field in table.schema().fields() {
            let nullable = if field.is_nullable() { " (nullable)" } else { "" };
            text.push_str(&format!("  {:<16} {}{nullable}\n", field.name(), field.data_type()));
        }
    }
    print_quietly(&text);
}

/// Prints to stdout, ignoring a closed pipe (`corpusmill schema | head`).
fn print_quietly(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
