//! `corpusmill.toml`: the options of `run` kept in a file beside the data, so a batch job's
//! settings live in its repository. Part of the binary (declared from `cli.rs`).
//!
//! The file is read from `--config FILE`, or `corpusmill.toml` in the current directory when
//! present (`--no-config` ignores it). Keys are the long option names of `run`, with `-` or
//! `_` (`max_doc_bytes`, `keep_rules`, `inputs`); flags given on the command line win over
//! the file. Values become command-line arguments placed before the real ones, so clap
//! validates them exactly as it validates flags, and an option added to `run` later is
//! accepted in the file without any change here.

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The file read from the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "corpusmill.toml";

/// Ids of `run` arguments that cannot be set from the file itself.
const NOT_IN_FILE: [&str; 3] = ["config", "no_config", "help"];

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A key names no option of `run`.
    #[error("{path}: unknown key `{key}` (known keys: {known})")]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// Every key the file may hold.
        known: String,
    },
    /// A value does not fit its option.
    #[error("{path}: key `{key}`: {message}")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Returns `argv` with the configuration file's values inserted as arguments of `run`, or
/// `argv` unchanged when no file applies. `cli` is the whole command; argument errors are left
/// for the real parse to report.
pub fn expand(cli: &Command, argv: Vec<OsString>) -> Result<Vec<OsString>, ConfigError> {
    let Ok(matches) = cli.clone().try_get_matches_from(&argv) else {
        return Ok(argv);
    };
    let Some(run) = cli.find_subcommand("run") else {
        return Ok(argv);
    };
    let empty = run.clone().try_get_matches_from(["run"]).ok();
    // `corpusmill` alone runs with defaults, so a file applies to it as to `corpusmill run`.
    let (run_matches, rest) = match matches.subcommand() {
        Some(("run", run_matches)) => (run_matches, argv.get(2..).unwrap_or_default().to_vec()),
        None if argv.len() <= 1 => match &empty {
            Some(run_matches) => (run_matches, Vec::new()),
            None => return Ok(argv),
        },
        _ => return Ok(argv),
    };
    if run_matches.try_get_one::<bool>("no_config").ok().flatten() == Some(&true) {
        return Ok(argv);
    }
    let path = match run_matches.try_get_one::<PathBuf>("config").ok().flatten() {
        Some(path) => path.clone(),
        None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
        None => return Ok(argv),
    };
    let file_args = file_arguments(run, run_matches, &path)?;
    let mut expanded = Vec::with_capacity(2 + file_args.len() + rest.len());
    expanded.push(argv.first().cloned().unwrap_or_else(|| "corpusmill".into()));
    expanded.push("run".into());
    expanded.extend(file_args);
    expanded.extend(rest);
    Ok(expanded)
}

/// The arguments standing for the file at `path`, leaving out options the command line set.
fn file_arguments(
    run: &Command,
    given: &ArgMatches,
    path: &Path,
) -> Result<Vec<OsString>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|error| ConfigError::Syntax {
        path: path.to_path_buf(),
        message: error.to_string().trim_end().to_owned(),
    })?;
    let settable: Vec<&Arg> = run
        .get_arguments()
        .filter(|arg| !NOT_IN_FILE.contains(&arg.get_id().as_str()))
        .collect();
    let mut options = Vec::new();
    let mut positionals = Vec::new();
    for (key, value) in &table {
        let wanted = key.replace('-', "_");
        let matches_key = |arg: &&Arg| {
            arg.get_id().as_str() == wanted
                || arg
                    .get_long()
                    .is_some_and(|long| long.replace('-', "_") == wanted)
        };
        let Some(arg) = settable.iter().copied().find(|arg| matches_key(arg)) else {
            let known: Vec<String> = settable
                .iter()
                .map(|arg| arg.get_id().as_str().to_owned())
                .collect();
            return Err(ConfigError::UnknownKey {
                path: path.to_path_buf(),
                key: key.clone(),
                known: known.join(", "),
            });
        };
        let id = arg.get_id().as_str();
        if given.value_source(id) == Some(ValueSource::CommandLine) {
            continue;
        }
        let bad_value = |message: &str| ConfigError::BadValue {
            path: path.to_path_buf(),
            key: key.clone(),
            message: message.to_owned(),
        };
        let values: Vec<&toml::Value> = match value {
            toml::Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let takes_values = arg.get_action().takes_values();
        for value in values {
            let text = match value {
                toml::Value::String(text) => text.clone(),
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Boolean(flag) if !takes_values => {
                    // A switch: `true` sets it; `false` is its default, so nothing to add.
                    if *flag && let Some(long) = arg.get_long() {
                        options.push(OsString::from(format!("--{long}")));
                    }
                    continue;
                }
                toml::Value::Boolean(flag) => flag.to_string(),
                _ => {
                    return Err(bad_value(
                        "expected a string, number, boolean or an array of them",
                    ));
                }
            };
            if !takes_values {
                return Err(bad_value("is a switch: expected true or false"));
            }
            match arg.get_long() {
                Some(long) => options.push(OsString::from(format!("--{long}={text}"))),
                None => positionals.push(OsString::from(text)),
            }
        }
    }
    options.extend(positionals);
    // Validated alone first, so a bad value is reported against the file, not the command line.
    let mut alone: Vec<OsString> = vec!["run".into()];
    alone.extend(options.iter().cloned());
    if let Err(error) = run.clone().try_get_matches_from(alone) {
        let rendered = error.to_string();
        let message = rendered
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ");
        return Err(ConfigError::Syntax {
            path: path.to_path_buf(),
            message: message.to_owned(),
        });
    }
    Ok(options)
}
