//! Workforce-management mathematics for Switchboard: Erlang C and Erlang A
//! staffing ([`erlang`]) and interval-volume forecasting with a rolling-origin
//! backtest ([`forecast`]); the [`roster`] is the shape of a schedule shared by
//! the scheduler, the simulator, the CLI and the planner's room.
//!
//! The crate is **pure**: no I/O, no async runtime, no database, no clock.
//! Callers hand it numbers, text and bytes (e.g. the contents of a CSV file or
//! an XLSX workbook, parsed in memory by `forecast::Table`) and get numbers
//! and text back, so every piece can be tested and benchmarked alone.
//! The CLI (`switchboard wfm …`) and, later, the planner's UI read files and
//! print; this crate only computes.

pub mod erlang;
pub mod forecast;
pub mod roster;
pub mod schedule;
pub mod shifts;
pub mod sim;
pub mod staffing;

use std::fmt;

/// Everything that can go wrong in this crate: bad parameters or bad input
/// text. Messages are meant for people (they name the offending value or line).
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A parameter is out of its domain (e.g. a negative handling time).
    InvalidInput(String),
    /// A line of an input file cannot be read; `line` is 1-based.
    Parse { line: usize, message: String },
    /// The input is well-formed but cannot support the request
    /// (e.g. too little history for a model).
    Insufficient(String),
    /// Several lines of an input file cannot be read: `(line, message)`,
    /// 1-based, in file order. Nothing of the file is used.
    Lines(Vec<(usize, String)>),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput(m) => write!(f, "invalid input: {m}"),
            Error::Parse { line, message } => write!(f, "line {line}: {message}"),
            Error::Insufficient(m) => write!(f, "not enough data: {m}"),
            Error::Lines(lines) => {
                const SHOWN: usize = 10;
                for (i, (line, m)) in lines.iter().take(SHOWN).enumerate() {
                    write!(f, "{}line {line}: {m}", if i > 0 { "; " } else { "" })?;
                }
                if lines.len() > SHOWN {
                    write!(f, "; and {} more bad lines", lines.len() - SHOWN)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
