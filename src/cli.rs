//! Command-line parsing and reporting. All the work is done by the library.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use corpusmill::corpus::{self, RunOptions, RunSummary};
use corpusmill::normalize::NormalForm;
use corpusmill::output::{Table, WriteOptions};
use corpusmill::pipeline::Config;
use corpusmill::{errln, outln};
use std::path::PathBuf;
use std::process::ExitCode;

#[path = "config_file.rs"]
mod config_file;
#[path = "progress.rs"]
mod progress;

/// Exit code when the run completed but some inputs failed.
const EXIT_SOME_FAILED: u8 = 3;
/// Exit code when the run could not complete (unwritable output, missing input).
const EXIT_FATAL: u8 = 1;
/// Exit code for usage errors, as clap uses (here: a bad configuration file).
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "corpusmill",
    version,
    about = "Scraped web text in, analysis-ready corpus tables (Parquet) out."
)]
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
    /// Print the summary of an output directory, read from its tables (nothing is rerun).
    Stats(StatsArgs),
    /// Write OUT/report.html: one self-contained page of charts about an output directory.
    Report(ReportArgs),
    /// Measure quality against gold data.
    #[command(subcommand)]
    Eval(corpusmill::eval::EvalCommand),
    /// Stage 1 of a run over machines: count this shard's lines into hash buckets under
    /// WORK/linestats (see docs/scale-out.md).
    Linestats(LinestatsArgs),
    /// Stage 2: sum bucket B of every shard's counts into WORK/repeated.
    LinestatsMerge(MergeArgs),
    /// Check that a sharded output covers every input exactly once and that row counts match.
    Verify(VerifyArgs),
    /// Show a page line by line, each line kept or removed with the boilerplate rule.
    Inspect(InspectArgs),
}

#[derive(Args)]
struct InspectArgs {
    /// A text file (one page) or JSON Lines file (one page per record, `text` or `lines`).
    file: PathBuf,
    /// Switch off a boilerplate rule by name (repeatable), as `run --keep-rule`.
    #[arg(long = "keep-rule", value_name = "NAME")]
    keep_rules: Vec<String>,
    /// Keep reader comments as text, as `run --keep-comments`.
    #[arg(long)]
    keep_comments: bool,
    /// Colour: `auto` (on a terminal), `always` or `never`.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    color: String,
}

#[derive(Args)]
struct LinestatsArgs {
    /// Input files or directories, exactly as given to `run`.
    #[arg(required_unless_present = "inputs_from")]
    inputs: Vec<PathBuf>,
    /// Read the inputs from this file (one path per line; `#` comments).
    #[arg(long, value_name = "LIST")]
    inputs_from: Option<PathBuf>,
    /// Count shard K of N of the inputs (as `run --shard K/N` splits them).
    #[arg(long, value_name = "K/N", value_parser = parse_shard, default_value = "0/1")]
    shard: (u32, u32),
    /// Split the counts into this many buckets by hash (one merge job each).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=65536))]
    buckets: u32,
    /// Work directory shared by the stages.
    #[arg(long)]
    work: PathBuf,
    /// JSON Lines field / Parquet column holding the text (as given to `run`).
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSON Lines field / Parquet column holding the document id.
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSON Lines field / Parquet column holding the document URL (its host is the site).
    #[arg(long, default_value = "url")]
    url_field: String,
    /// Skip documents larger than this many bytes (as given to `run`).
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    max_doc_bytes: u64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

#[derive(Args)]
struct MergeArgs {
    /// The bucket to merge, B of M.
    #[arg(long, value_name = "B/M", value_parser = parse_shard)]
    bucket: (u32, u32),
    /// Work directory shared by the stages.
    #[arg(long)]
    work: PathBuf,
}

#[derive(Args)]
struct VerifyArgs {
    /// Output directory of a sharded run.
    #[arg(default_value = "out")]
    out: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct StatsArgs {
    /// Output directory of a run.
    #[arg(default_value = "out")]
    out: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ReportArgs {
    /// Output directory of a run; the report is written into it.
    #[arg(default_value = "out")]
    out: PathBuf,
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Read options from this TOML file (default: ./corpusmill.toml when present); flags given
    /// on the command line override it.
    #[arg(long, value_name = "FILE")]
    #[allow(dead_code)] // read from the raw matches before parsing, in config_file
    config: Option<PathBuf>,
    /// Ignore ./corpusmill.toml.
    #[arg(long, conflicts_with = "config")]
    #[allow(dead_code)] // read from the raw matches before parsing, in config_file
    no_config: bool,
    /// Input files or directories (walked recursively in sorted order); `-` for standard
    /// input. Formats by name: `.jsonl[.gz|.zst]`, `.parquet`, `.warc.wet[.gz]`, else text.
    #[arg(default_value = "raw")]
    inputs: Vec<PathBuf>,
    /// Read the inputs from this file (one path per line; `#` comments) instead of the
    /// positional inputs.
    #[arg(long, value_name = "LIST")]
    inputs_from: Option<PathBuf>,
    /// JSON Lines field / Parquet column holding the text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSON Lines field / Parquet column holding the document id (else the record number).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSON Lines field / Parquet column holding the document URL (its host is the site).
    #[arg(long, default_value = "url")]
    url_field: String,
    /// Format of standard input (`-`): one text document, or JSON Lines.
    #[arg(long, value_enum, default_value = "text")]
    stdin_format: StdinFormatArg,
    /// Write each table as a Hive-partitioned dataset: OUT/<table>/lang=<code>/part-*.parquet.
    #[arg(long, value_enum)]
    partition_by: Option<PartitionBy>,
    /// Process shard K of N (`K/N`, K from 0): every N-th input file in sorted order; writes
    /// OUT/<table>/part-K-of-N.parquet and OUT/_done/part-K-of-N.json, and skips a done shard.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(u32, u32)>,
    /// Use the repeated-line statistics of `linestats-merge` (WORK/repeated) instead of
    /// counting lines over all inputs first.
    #[arg(long, value_name = "DIR")]
    repeated: Option<PathBuf>,
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
    #[arg(long, default_value_t = 1)]
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
    /// Let lower-case connectors join entity candidates ("Battle of Stalingrad").
    #[arg(long)]
    join_connectors: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Stop at the first input that fails (exit code 1) instead of recording it and going on.
    #[arg(long)]
    fail_fast: bool,
    /// Continue an interrupted run into the same --out: completed segments are kept and the
    /// tables come out identical to an uninterrupted run's.
    #[arg(long)]
    resume: bool,
    /// Inputs per segment (the unit a resumed run does not redo; fixes the row groups).
    #[arg(long, default_value_t = corpus::SEGMENT_DOCUMENTS, hide = true)]
    segment_docs: usize,
    /// `text`: a progress bar on a terminal, a line every few seconds otherwise; `json`: one
    /// JSON object per line on stdout (progress events and the summary).
    #[arg(long, value_enum, default_value = "text")]
    log_format: progress::LogFormat,
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
enum StdinFormatArg {
    Text,
    Jsonl,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PartitionBy {
    Lang,
}

fn parse_shard(value: &str) -> Result<(u32, u32), String> {
    let (index, count) = value.split_once('/').ok_or("expected K/N, e.g. 0/4")?;
    let index: u32 = index
        .trim()
        .parse()
        .map_err(|_| format!("bad shard index {index:?}"))?;
    let count: u32 = count
        .trim()
        .parse()
        .map_err(|_| format!("bad shard count {count:?}"))?;
    if count == 0 || index >= count {
        return Err(format!("shard {index}/{count}: need 0 <= K < N"));
    }
    Ok((index, count))
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Form {
    Nfc,
    Nfkc,
}

pub fn main() -> ExitCode {
    use clap::CommandFactory;
    let argv = match config_file::expand(&Cli::command(), std::env::args_os().collect()) {
        Ok(argv) => argv,
        Err(error) => {
            errln!("corpusmill: error: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let cli = Cli::parse_from(argv);
    let result = match cli.command.unwrap_or(Command::Run(RunArgs::default())) {
        Command::Run(args) => run(args),
        Command::Schema => {
            print_schema();
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(command) => corpusmill::eval::run(&command),
        Command::Stats(args) => stats(&args),
        Command::Report(args) => report(&args),
        Command::Linestats(args) => linestats(&args),
        Command::LinestatsMerge(args) => linestats_merge(&args),
        Command::Verify(args) => verify(&args),
        Command::Inspect(args) => inspect(&args),
    };
    result.unwrap_or_else(|error| {
        if reader_went_away(&error) {
            return ExitCode::SUCCESS;
        }
        errln!("corpusmill: error: {error:#}");
        ExitCode::from(EXIT_FATAL)
    })
}

/// `corpusmill inspect page.txt | head` is not a failure: stop quietly, as Unix filters do.
fn reader_went_away(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => stdout.is_terminal(),
    };
    let config = corpusmill::boilerplate::Config {
        keep_rules: args.keep_rules.clone(),
        keep_comments: args.keep_comments,
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    corpusmill::inspect::inspect(&args.file, config, color, &mut out)?;
    std::io::Write::flush(&mut out)?;
    Ok(ExitCode::SUCCESS)
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = Config {
        normalize: match args.normalize {
            Form::Nfc => NormalForm::Nfc,
            Form::Nfkc => NormalForm::Nfkc,
        },
        keep_rules: args.keep_rules,
        keep_comments: args.keep_comments,
        join_connectors: args.join_connectors,
    };
    let inputs = match &args.inputs_from {
        // The positional default (`raw`) gives way to the list; inputs named too are added.
        Some(list) => {
            let mut listed = corpusmill::input::read_input_list(list)?;
            if args.inputs != [PathBuf::from("raw")] {
                listed.extend(args.inputs.iter().cloned());
            }
            listed
        }
        None => args.inputs.clone(),
    };
    let options = RunOptions {
        inputs,
        read: corpusmill::input::ReadOptions {
            max_doc_bytes: args.max_doc_bytes,
            text_field: args.text_field.clone(),
            id_field: args.id_field.clone(),
            url_field: args.url_field.clone(),
            stdin_format: match args.stdin_format {
                StdinFormatArg::Text => corpusmill::input::StdinFormat::Text,
                StdinFormatArg::Jsonl => corpusmill::input::StdinFormat::Jsonl,
            },
        },
        layout: corpusmill::output::Layout {
            shard: args.shard,
            partition_by_lang: matches!(args.partition_by, Some(PartitionBy::Lang)),
        },
        out: args.out,
        threads: args.threads,
        force: args.force,
        max_doc_bytes: args.max_doc_bytes,
        write: WriteOptions {
            zstd_level: args.zstd_level,
            row_group_rows: args.row_group_rows,
            metadata: Vec::new(),
        },
        progress: None,
        fail_fast: args.fail_fast,
        resume: args.resume,
        segment_documents: args.segment_docs,
        repeated: args.repeated.clone(),
    };
    let reporter =
        (!args.quiet).then(|| std::sync::Arc::new(progress::Reporter::new(args.log_format)));
    let options = RunOptions {
        progress: reporter
            .clone()
            .map(|reporter| reporter as std::sync::Arc<dyn corpus::Progress>),
        ..options
    };
    let result = corpus::run(&config, &options);
    if result.is_ok()
        && let Some(message) = corpusmill::scaleout::injected_failure("run", args.shard)
    {
        // As a crash after the tables but before the marker: the retry must redo the shard.
        if let Some((k, n)) = args.shard {
            let _ = std::fs::remove_file(
                options
                    .out
                    .join(corpus::DONE_DIR)
                    .join(format!("part-{k}-of-{n}.json")),
            );
        }
        anyhow::bail!(message);
    }
    if let Some(reporter) = &reporter {
        reporter.finish();
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            if args.log_format == progress::LogFormat::Json {
                progress::print_error_json(&format!("run into {}: {error}", options.out.display()));
            }
            return Err(error).with_context(|| format!("run into {}", options.out.display()));
        }
    };
    match (args.quiet, args.log_format) {
        (true, _) => {}
        (false, progress::LogFormat::Text) => print_summary(&summary, &options.out),
        (false, progress::LogFormat::Json) => progress::print_summary_json(&summary, &options.out),
    }
    Ok(if summary.any_failed() {
        ExitCode::from(EXIT_SOME_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn linestats(args: &LinestatsArgs) -> anyhow::Result<ExitCode> {
    if let Some(message) = corpusmill::scaleout::injected_failure("linestats", Some(args.shard)) {
        anyhow::bail!(message);
    }
    let mut inputs = match &args.inputs_from {
        Some(list) => corpusmill::input::read_input_list(list)?,
        None => Vec::new(),
    };
    inputs.extend(args.inputs.iter().cloned());
    let read = corpusmill::input::ReadOptions {
        max_doc_bytes: args.max_doc_bytes,
        text_field: args.text_field.clone(),
        id_field: args.id_field.clone(),
        url_field: args.url_field.clone(),
        ..Default::default()
    };
    let summary = corpusmill::scaleout::linestats(
        &inputs,
        &read,
        args.shard,
        args.buckets,
        &args.work,
        args.threads,
    )
    .with_context(|| format!("linestats into {}", args.work.display()))?;
    let (k, n) = args.shard;
    match summary.already_done {
        true => outln!("linestats shard {k}/{n} already done: nothing to do"),
        false => outln!(
            "linestats shard {k}/{n}: {} files, {} documents, {} count records in {} buckets",
            summary.files,
            summary.documents,
            summary.records,
            args.buckets
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn linestats_merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let summary = corpusmill::scaleout::merge(args.bucket, &args.work)
        .with_context(|| format!("linestats-merge in {}", args.work.display()))?;
    let (b, m) = args.bucket;
    outln!(
        "bucket {b}/{m}: {} shards, {} repeated site lines of {}, {} repeated lines",
        summary.shards,
        summary.repeated_site_lines,
        summary.site_lines,
        summary.repeated_lines
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let report = corpusmill::scaleout::verify(&args.out)?;
    if args.json {
        corpusmill::console::write_text(&(serde_json::to_string_pretty(&report)? + "\n"));
    } else {
        let rows: Vec<String> = report
            .rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        outln!(
            "shards   {} ({})",
            report.shards.len(),
            report.shards.join(", ")
        );
        outln!("inputs   {}", report.inputs);
        outln!("rows     {}", rows.join(", "));
        for problem in &report.problems {
            errln!("corpusmill verify: {problem}");
        }
        outln!(
            "{}",
            if report.problems.is_empty() {
                "ok"
            } else {
                "FAILED"
            }
        );
    }
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FATAL)
    })
}

fn print_summary(summary: &RunSummary, out: &std::path::Path) {
    if summary.already_done {
        outln!(
            "shard already done (its marker in {}/_done exists): nothing to do",
            out.display()
        );
        return;
    }
    let documents: u64 = summary.documents_by_status.values().sum();
    let statuses: Vec<String> = summary
        .documents_by_status
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    outln!("documents      {documents} ({})", statuses.join(", "));
    for table in ["sentences", "tokens", "entities", "removed_lines"] {
        outln!(
            "{table:<14} {}",
            summary.rows.get(table).copied().unwrap_or(0)
        );
    }
    let langs: Vec<String> = summary
        .documents_by_lang
        .iter()
        .map(|(lang, n)| format!("{lang} {n}"))
        .collect();
    outln!("languages      {}", langs.join(", "));
    outln!(
        "throughput     {:.2} MB in {:.2} s = {:.2} MB/s",
        summary.input_bytes as f64 / 1e6,
        summary.seconds,
        summary.mb_per_second
    );
    if !summary.stage_seconds.is_empty() {
        // Pipeline order, not the map's alphabetical one.
        let order = std::iter::once("count_lines")
            .chain(
                corpusmill::pipeline::Stage::ALL
                    .iter()
                    .map(|stage| stage.name()),
            )
            .chain(std::iter::once("assemble"));
        let stages: Vec<String> = order
            .filter_map(|name| {
                summary
                    .stage_seconds
                    .get(name)
                    .map(|s| format!("{name} {s:.2}"))
            })
            .collect();
        outln!("stage seconds  {}", stages.join(", "));
    }
    outln!("tables         {}", out.display());
}

fn stats(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let stats = corpusmill::stats::read(&args.out)?;
    let text = if args.json {
        serde_json::to_string_pretty(&stats)? + "\n"
    } else {
        corpusmill::stats::to_text(&stats)
    };
    corpusmill::console::write_text(&text);
    Ok(ExitCode::SUCCESS)
}

fn report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let path = corpusmill::report::write(&args.out)?;
    outln!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn print_schema() {
    let mut text = String::new();
    for table in Table::ALL {
        text.push_str(table.name());
        text.push('\n');
        for field in table.schema().fields() {
            let nullable = if field.is_nullable() {
                " (nullable)"
            } else {
                ""
            };
            text.push_str(&format!(
                "  {:<16} {}{nullable}\n",
                field.name(),
                field.data_type()
            ));
        }
    }
    corpusmill::console::write_text(&text);
}
