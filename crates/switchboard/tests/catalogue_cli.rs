//! Acceptance (issue 6) through the real binary, on both databases:
//! `switchboard catalogue import` of a 10,000-row XLSX with 5 bad rows
//! applies nothing, names exactly those rows and exits 2; the fixed file
//! applies all 10,000 and reports the time; an export to CSV imports back
//! as 10,000 updates with the same data.

use std::path::Path;
use std::process::Command;

use retail::synthetic::ACCEPTANCE_FAULTS as BAD;
use store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
const ROWS: u32 = 10_000;

fn workbook(broken: bool) -> Vec<u8> {
    retail::synthetic::workbook(ROWS, if broken { &BAD } else { &[] }).expect("workbook")
}

/// Runs the binary: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).env("SWITCHBOARD_LOG", "warn").output().expect("run switchboard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `imported N items (C created, U updated) in X.XX s` → (N, C, U).
fn imported(stdout: &str) -> (usize, usize, usize) {
    let line = stdout.lines().find(|l| l.starts_with("imported ")).unwrap_or_else(|| panic!("no summary: {stdout}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter(|s| !s.is_empty() && !s.contains('.'))
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(line.ends_with(" s") && line.contains(" in "), "time reported: {line}");
    (nums[0], nums[1], nums[2])
}

#[tokio::test]
async fn ten_thousand_rows_five_bad_nothing_applied_then_all_apply_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.xlsx");
    let fixed = dir.path().join("fixed.xlsx");
    std::fs::write(&broken, workbook(true)).unwrap();
    std::fs::write(&fixed, workbook(false)).unwrap();
    for db in testkit::databases().await {
        let (k, url) = (db.kind, db.url.as_str());

        let (code, out, err) = run(&["catalogue", "import", path(&broken), "--database", url]);
        assert_eq!(code, 2, "{k}: {out}\n{err}");
        let rows: Vec<usize> = out
            .lines()
            .filter_map(|l| l.strip_prefix("row "))
            .map(|l| l.split([':', ' ']).next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(rows, BAD.iter().map(|(r, _)| *r as usize).collect::<Vec<_>>(), "{k}: {out}");
        for (r, fault) in BAD {
            let line = out.lines().find(|l| l.starts_with(&format!("row {r}"))).unwrap();
            assert!(line.contains(fault), "{k}: row {r} names {fault}: {line}");
        }
        assert!(out.contains("nothing was applied"), "{k}: {out}");
        let store = Store::connect(url).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(store.catalogue_count().await.unwrap(), 0, "{k}: nothing applied");

        // The dry run of the fixed file checks without writing.
        let (code, out, err) = run(&["catalogue", "import", path(&fixed), "--dry-run", "--database", url]);
        assert_eq!(code, 0, "{k}: {out}\n{err}");
        assert!(out.contains("dry run"), "{k}: {out}");
        assert_eq!(store.catalogue_count().await.unwrap(), 0, "{k}: a dry run applies nothing");

        let (code, out, err) = run(&["catalogue", "import", path(&fixed), "--database", url]);
        assert_eq!(code, 0, "{k}: {out}\n{err}");
        eprintln!("{k}: {}", out.trim());
        assert_eq!(imported(&out), (10_000, 10_000, 0), "{k}: {out}");
        assert_eq!(store.catalogue_count().await.unwrap(), 10_000, "{k}");
        let one = store.catalogue_item("SKU-00777").await.unwrap().expect("stored");
        assert_eq!(one.price.as_ref().unwrap().unit_price("retail"), 37_725, "{k}");
        assert_eq!(one.price.as_ref().unwrap().unit_price("key"), 9_050, "{k}");
        assert_eq!(one.item.vat_bp, 1200, "{k}");
        assert_eq!(one.stock.iter().map(|s| s.on_hand).sum::<i64>(), 11, "{k}");
        let before = store.catalogue().await.unwrap();

        let csv = dir.path().join(format!("export-{k}.csv"));
        let (code, out, err) = run(&["catalogue", "export", path(&csv), "--database", url]);
        assert_eq!(code, 0, "{k}: {out}\n{err}");
        assert!(out.contains("exported 10000 items"), "{k}: {out}");
        let (code, out, err) = run(&["catalogue", "import", path(&csv), "--database", url]);
        assert_eq!(code, 0, "{k}: {out}\n{err}");
        assert_eq!(imported(&out), (10_000, 0, 10_000), "{k}: {out}");
        assert_eq!(store.catalogue().await.unwrap(), before, "{k}: the same data after the round trip");

        // An export to XLSX reads back too; an unknown extension is refused.
        let xlsx = dir.path().join(format!("export-{k}.xlsx"));
        let (code, _, err) = run(&["catalogue", "export", path(&xlsx), "--database", url]);
        assert_eq!(code, 0, "{k}: {err}");
        let (code, out, err) = run(&["catalogue", "import", path(&xlsx), "--dry-run"]);
        assert_eq!(code, 0, "{k}: {out}\n{err}");
        let (code, _, err) = run(&["catalogue", "export", path(&dir.path().join("x.pdf")), "--database", url]);
        assert!(code == 2 && err.contains(".csv or .xlsx"), "{k}: {err}");
        store.close().await;
    }
}

#[test]
fn an_unreadable_file_is_a_clear_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let (code, out, err) = run(&["catalogue", "import", "/nonexistent/cat.xlsx", "--database", &url]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("cannot read /nonexistent/cat.xlsx"), "{err}");
    let junk = dir.path().join("junk.csv");
    std::fs::write(&junk, "name,colour\nx,red\n").unwrap();
    let (code, _, err) = run(&["catalogue", "import", path(&junk), "--database", &url]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("junk.csv") && err.contains("`sku`"), "{err}");
    for args in
        [vec!["catalogue", "--help"], vec!["catalogue", "import", "--help"], vec!["catalogue", "export", "--help"]]
    {
        let (code, out, _) = run(&args);
        assert!(code == 0 && out.contains("Usage:"), "{args:?}: {out}");
    }
}
