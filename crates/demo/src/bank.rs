//! Parsing of the real bank call profile (`bank_calls_5min.csv`).

/// Five-minute slots in a bank day: 07:00, 07:05, …, 21:00.
pub const SLOTS_PER_DAY: usize = 169;

/// First slot of the day, in minutes after midnight (07:00).
pub(crate) const FIRST_SLOT_MIN: u32 = 7 * 60;

/// One day of the real bank profile: counts per 5-minute slot from 07:00 (169 slots).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub slots: Vec<u32>,
}

/// Parses bank_calls_5min.csv text (header `timestamp,calls`, timestamps like
/// `2003-03-03T07:00:00Z`) into days. Every day must have all 169 slots in
/// order and dates must increase; any malformed line is an error naming its
/// (1-based) line number.
pub fn parse_bank_calls(csv: &str) -> Result<Vec<BankDay>, String> {
    let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut lines = csv.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    match lines.next() {
        Some((_, header)) if header.trim() == "timestamp,calls" => {}
        Some((n, other)) => return Err(format!("line {n}: expected header `timestamp,calls`, found `{other}`")),
        None => return Err("empty file: expected header `timestamp,calls`".into()),
    }
    let mut days: Vec<BankDay> = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let (date, slot, calls) = parse_line(line).map_err(|e| format!("line {n}: {e}: `{line}`"))?;
        let starts_new_day = days.last().map(|d| d.date.as_str()) != Some(date);
        if starts_new_day {
            if let Some(prev) = days.last() {
                if prev.slots.len() != SLOTS_PER_DAY {
                    return Err(format!(
                        "line {n}: day {} has {} slots, expected {SLOTS_PER_DAY}",
                        prev.date,
                        prev.slots.len()
                    ));
                }
                if date < prev.date.as_str() {
                    return Err(format!("line {n}: date {date} comes after {}", prev.date));
                }
            }
            days.push(BankDay { date: date.to_string(), slots: Vec::with_capacity(SLOTS_PER_DAY) });
        }
        let day = days.last_mut().ok_or_else(|| format!("line {n}: no day"))?;
        if slot != day.slots.len() {
            return Err(format!("line {n}: expected slot {} of {}, found slot {slot}", day.slots.len(), day.date));
        }
        day.slots.push(calls);
    }
    if let Some(last) = days.last() {
        if last.slots.len() != SLOTS_PER_DAY {
            return Err(format!("day {} has {} slots, expected {SLOTS_PER_DAY}", last.date, last.slots.len()));
        }
    }
    Ok(days)
}

/// `2003-03-03T07:00:00Z,111` → ("2003-03-03", slot 0, 111).
fn parse_line(line: &str) -> Result<(&str, usize, u32), &'static str> {
    let (ts, calls) = line.split_once(',').ok_or("expected `timestamp,calls`")?;
    let calls: u32 = calls.trim().parse().map_err(|_| "calls is not a non-negative integer")?;
    let ts = ts.trim();
    let b = ts.as_bytes();
    let shape_ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| b[i].is_ascii_digit());
    if !shape_ok {
        return Err("timestamp is not like 2003-03-03T07:00:00Z");
    }
    let num = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    let (month, mday, hour, minute, second) = (num(5), num(8), num(11), num(14), num(17));
    if !(1..=12).contains(&month) || !(1..=31).contains(&mday) || hour > 23 || minute > 59 || second != 0 {
        return Err("timestamp out of range");
    }
    let minutes = hour * 60 + minute;
    if minute % 5 != 0 || minutes < FIRST_SLOT_MIN {
        return Err("timestamp is not a 5-minute slot from 07:00");
    }
    let slot = ((minutes - FIRST_SLOT_MIN) / 5) as usize;
    if slot >= SLOTS_PER_DAY {
        return Err("timestamp is after 21:00");
    }
    Ok((&ts[..10], slot, calls))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn real_csv() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    fn day_csv(date: &str) -> String {
        let mut s = String::new();
        for slot in 0..SLOTS_PER_DAY as u32 {
            let m = FIRST_SLOT_MIN + slot * 5;
            s.push_str(&format!("{date}T{:02}:{:02}:00Z,{}\n", m / 60, m % 60, slot));
        }
        s
    }

    #[test]
    fn parses_the_real_file() {
        let days = parse_bank_calls(&real_csv()).expect("real file parses");
        assert_eq!(days.len(), 144);
        assert!(days.iter().all(|d| d.slots.len() == SLOTS_PER_DAY));
        assert_eq!(days[0].date, "2003-03-03");
        assert_eq!(days[0].slots[0], 111);
        assert_eq!(days[0].slots[1], 113);
        let total: u64 = days.iter().flat_map(|d| &d.slots).map(|&c| u64::from(c)).sum();
        let per_day = total / 144;
        assert!((30_000..35_000).contains(&per_day), "{per_day} calls/day");
    }

    #[test]
    fn parses_synthetic_days_with_crlf_and_trailing_blank() {
        let csv =
            format!("timestamp,calls\r\n{}{}\n", day_csv("2020-01-06"), day_csv("2020-01-07")).replace('\n', "\r\n");
        let days = parse_bank_calls(&csv).expect("parses");
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].date, "2020-01-07");
        assert_eq!(days[1].slots[168], 168);
    }

    #[test]
    fn rejects_malformed_lines_with_line_number() {
        let good = format!("timestamp,calls\n{}", day_csv("2020-01-06"));
        // Line 4 is the third data line (07:10).
        let bad = good.replacen("2020-01-06T07:10:00Z,2", "2020-01-06T07:10:00Z,two", 1);
        let err = parse_bank_calls(&bad).expect_err("bad count");
        assert!(err.starts_with("line 4:"), "{err}");

        let bad = good.replacen("2020-01-06T07:05:00Z,1", "garbage", 1);
        let err = parse_bank_calls(&bad).expect_err("no comma");
        assert!(err.starts_with("line 3:"), "{err}");

        let bad = good.replacen("2020-01-06T07:05:00Z", "2020-01-06T07:07:00Z", 1);
        assert!(parse_bank_calls(&bad).expect_err("off slot").starts_with("line 3:"));

        let bad = good.replacen("2020-01-06T07:05:00Z,1\n", "", 1);
        assert!(parse_bank_calls(&bad).expect_err("missing slot").starts_with("line 3:"));

        assert!(parse_bank_calls("time,count\n").expect_err("header").starts_with("line 1:"));
        assert!(parse_bank_calls("").is_err());

        let short =
            format!("timestamp,calls\n{}", day_csv("2020-01-06").lines().take(10).collect::<Vec<_>>().join("\n"));
        assert!(parse_bank_calls(&short).is_err());
    }
}
