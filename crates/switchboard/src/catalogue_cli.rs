//! `switchboard catalogue import|export`: the catalogue file (CSV or XLSX,
//! docs/RETAIL.md) into and out of the database. The checking is
//! `retail::catalogue`, the writing `store::catalogue`; this module reads and
//! writes files, shows progress on stderr and prints the outcome.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Subcommand;
use retail::catalogue::{self, ImportReport, ImportRules};
use store::AuditActor;

#[derive(Subcommand)]
pub enum CatalogueCommand {
    /// Check a catalogue file (CSV or XLSX) and apply it all or nothing: every
    /// item upserted by SKU with its prices and stock. A file with bad rows
    /// prints one line per bad row, applies nothing and exits with code 2.
    Import {
        /// The file: `.csv` or `.xlsx` (the format is recognised from its content).
        file: PathBuf,
        /// Only check the file; the database is not opened.
        #[arg(long)]
        dry_run: bool,
        /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
        #[arg(long, env = "SWITCHBOARD_DATABASE")]
        database: Option<String>,
    },
    /// Write the stored catalogue to a file: CSV or XLSX by its extension.
    Export {
        /// The file to write: `.csv` or `.xlsx`.
        file: PathBuf,
        /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
        #[arg(long, env = "SWITCHBOARD_DATABASE")]
        database: Option<String>,
    },
}

/// A refusal the command reports with exit code 2 (bad file, bad rows).
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn refused(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Refused(msg.into()))
}

pub async fn run(command: CatalogueCommand, file: &crate::config::FileConfig) -> anyhow::Result<()> {
    match command {
        CatalogueCommand::Import { file: path, dry_run, database } => {
            // Resolve the database before the (long) check, so a missing one fails fast.
            let url = if dry_run { None } else { Some(file.database_url(database)?) };
            import(&path, url.as_deref()).await
        }
        CatalogueCommand::Export { file: path, database } => {
            let url = file.database_url(database)?;
            export(&path, &url).await
        }
    }
}

/// Progress on stderr: one line rewritten with `\r` on a terminal, plain
/// lines (one per stage) otherwise.
struct Progress {
    tty: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress { tty: std::io::stderr().is_terminal() }
    }

    fn stage(&self, text: &str) {
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{text}");
        } else {
            let _ = writeln!(err, "{text}");
        }
        let _ = err.flush();
    }

    fn bar(&self, what: &str, done: usize, total: usize) {
        if !self.tty {
            return;
        }
        const WIDTH: usize = 30;
        let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
        let text = format!("{what} [{}{}] {done}/{total}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        self.stage(&text);
    }

    fn finish(&self) {
        if self.tty {
            let mut err = std::io::stderr();
            let _ = writeln!(err);
        }
    }
}

/// One line per bad row: `row 17 (SKU-1): missing-price: price_retail is empty; …`.
pub fn report_lines(report: &ImportReport) -> Vec<String> {
    report
        .bad
        .iter()
        .map(|b| {
            let faults: Vec<String> = b.faults.iter().map(|f| format!("{}: {f}", f.code())).collect();
            let sku = if b.sku.is_empty() { String::new() } else { format!(" ({})", b.sku) };
            format!("row {}{sku}: {}", b.row, faults.join("; "))
        })
        .collect()
}

async fn import(path: &Path, url: Option<&str>) -> anyhow::Result<()> {
    let started = Instant::now();
    let progress = Progress::new();
    progress.stage(&format!("reading {}…", path.display()));
    let bytes = std::fs::read(path).map_err(|e| refused(format!("cannot read {}: {e}", path.display())))?;
    progress.stage(&format!("validating {} ({} bytes)…", path.display(), bytes.len()));
    let checked = catalogue::import(&bytes, &ImportRules::default());
    let imported = match checked {
        Err(e) => {
            progress.finish();
            return Err(refused(format!("{}: {e}", path.display())));
        }
        Ok(Err(report)) => {
            progress.finish();
            let mut out = std::io::stdout().lock();
            for line in report_lines(&report) {
                writeln!(out, "{line}")?;
            }
            writeln!(out, "{} of {} rows are bad; nothing was applied", report.bad.len(), report.rows_read)?;
            out.flush()?;
            return Err(refused(format!("{}: bad rows: {}", path.display(), report.bad.len())));
        }
        Ok(Ok(imported)) => imported,
    };
    let items = imported.catalogue.items.len();
    let Some(url) = url else {
        progress.finish();
        println!(
            "{} is valid: {items} items in {} rows (dry run, nothing applied) in {:.2} s",
            path.display(),
            imported.rows_read,
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    };
    progress.stage(&format!("opening the database; {items} items checked…"));
    let store = crate::open(url).await?;
    progress.stage(&format!("applying {items} items…"));
    let outcome = store
        .apply_catalogue_import(&imported.catalogue, &AuditActor::cli(), &|done, total| {
            progress.bar("applying", done, total)
        })
        .await?;
    progress.finish();
    println!(
        "imported {items} items ({} created, {} updated) in {:.2} s",
        outcome.created,
        outcome.updated,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn export(path: &Path, url: &str) -> anyhow::Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let xlsx = match ext.as_deref() {
        Some("csv") => false,
        Some("xlsx") => true,
        _ => return Err(refused(format!("{}: the file must end in .csv or .xlsx", path.display()))),
    };
    let started = Instant::now();
    let store = crate::open(url).await?;
    let cat = store.catalogue().await?;
    let bytes = if xlsx {
        catalogue::export_xlsx(&cat).map_err(|e| anyhow::anyhow!("cannot build the workbook: {e}"))?
    } else {
        catalogue::export_csv(&cat).into_bytes()
    };
    std::fs::write(path, &bytes).map_err(|e| refused(format!("cannot write {}: {e}", path.display())))?;
    println!("exported {} items to {} in {:.2} s", cat.items.len(), path.display(), started.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use retail::catalogue::{BadRow, Fault};

    #[test]
    fn a_report_line_names_the_row_the_sku_and_every_fault() {
        let report = ImportReport {
            rows_read: 3,
            bad: vec![
                BadRow { row: 2, sku: String::new(), faults: vec![Fault::MissingSku] },
                BadRow {
                    row: 17,
                    sku: "A-1".into(),
                    faults: vec![
                        Fault::MissingName,
                        Fault::BadPrice { column: "price_key".into(), value: "двести".into() },
                    ],
                },
            ],
        };
        assert_eq!(
            report_lines(&report),
            vec![
                "row 2: missing-sku: the SKU is empty".to_string(),
                "row 17 (A-1): missing-name: name_ru is empty; bad-price: price_key \"двести\" is not an amount \
                 like 1234.50"
                    .to_string(),
            ]
        );
    }
}
