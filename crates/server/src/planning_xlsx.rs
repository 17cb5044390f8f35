//! XLSX exports of the planner's room (`rust_xlsxwriter`): a forecast
//! (timestamp, calls), a staffing plan (one row per interval) and a schedule
//! (a grid sheet — operators × intervals of each day, `S` on line, `B`
//! break, `L` lunch, `T` training, `M` meeting — and a coverage sheet:
//! required vs scheduled per interval). Column headers are in the caller's
//! language; values are numbers so the planner can compute with them.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use wfm::roster::{ActivityKind, Roster};

use crate::planning::{hm, wall_clock, StaffRow};

fn header(ws: &mut Worksheet, cols: &[String]) -> Result<(), XlsxError> {
    for (c, h) in cols.iter().enumerate() {
        ws.write_string(0, c as u16, h)?;
    }
    Ok(())
}

/// A forecast: `timestamp`, `calls`.
pub fn forecast(points: &[(i64, f64)], cols: [String; 2]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("forecast")?;
    header(ws, &cols)?;
    for (i, &(ts, calls)) in points.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, wall_clock(ts))?;
        ws.write_number(r, 1, calls)?;
    }
    ws.set_column_width(0, 18)?;
    wb.save_to_buffer()
}

/// A staffing plan: timestamp, calls, on line, scheduled, SL, ASA, occupancy.
pub fn staffing(rows: &[StaffRow], cols: [String; 7]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("staffing")?;
    header(ws, &cols)?;
    for (i, s) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, wall_clock(s.ts))?;
        ws.write_number(r, 1, s.calls)?;
        ws.write_number(r, 2, f64::from(s.on_line))?;
        ws.write_number(r, 3, f64::from(s.scheduled))?;
        ws.write_number(r, 4, s.service_level)?;
        ws.write_number(r, 5, s.asa_s)?;
        ws.write_number(r, 6, s.occupancy)?;
    }
    ws.set_column_width(0, 18)?;
    wb.save_to_buffer()
}

/// The letter of a grid cell: what the operator does for most of the interval.
pub fn cell_code(kind: Option<ActivityKind>) -> &'static str {
    match kind {
        None => "S",
        Some(ActivityKind::Break) => "B",
        Some(ActivityKind::Lunch) => "L",
        Some(ActivityKind::Training) => "T",
        Some(ActivityKind::Meeting) => "M",
    }
}

/// What an operator does at minute `m` of day `day`: `None` off shift,
/// `Some(None)` on line, `Some(Some(kind))` in an activity. A shift past
/// midnight is seen on the next day too.
pub fn state_at(op: &wfm::roster::RosterOperator, day: u32, m: u32) -> Option<Option<ActivityKind>> {
    let abs = day * 1440 + m;
    op.shifts.iter().find_map(|s| {
        let (a, b) = (s.day * 1440 + s.start_min, s.day * 1440 + s.end_min);
        (abs >= a && abs < b).then(|| {
            s.activities
                .iter()
                .find(|x| abs >= s.day * 1440 + x.start_min && abs < s.day * 1440 + x.end_min)
                .map(|x| x.kind)
        })
    })
}

/// A schedule: sheet `grid` (day, operator, then one column per interval of
/// the day with `S`/`B`/`L`/`T`/`M`) and sheet `coverage` (day, interval,
/// required, scheduled on line). `required[day][slot]` may be empty.
pub fn schedule(roster: &Roster, required: &[Vec<f64>], cols: [String; 5]) -> Result<Vec<u8>, XlsxError> {
    let [day_h, op_h, slot_h, req_h, cov_h] = cols;
    let mut wb = Workbook::new();
    let step = roster.interval_min.max(1);
    let per_day = roster.intervals_per_day();
    {
        let ws = wb.add_worksheet();
        ws.set_name("grid")?;
        ws.write_string(0, 0, &day_h)?;
        ws.write_string(0, 1, &op_h)?;
        for s in 0..per_day {
            ws.write_string(0, s as u16 + 2, hm(s as u32 * step))?;
        }
        let mut r = 1u32;
        for day in 0..roster.days {
            for op in &roster.operators {
                ws.write_number(r, 0, f64::from(day + 1))?;
                ws.write_string(r, 1, if op.name.is_empty() { &op.id } else { &op.name })?;
                for s in 0..per_day {
                    if let Some(k) = state_at(op, day, s as u32 * step) {
                        ws.write_string(r, s as u16 + 2, cell_code(k))?;
                    }
                }
                r += 1;
            }
        }
    }
    {
        let cov = roster.coverage();
        let ws = wb.add_worksheet();
        ws.set_name("coverage")?;
        header(ws, &[day_h, slot_h, req_h, cov_h])?;
        let mut r = 1u32;
        for (day, row) in cov.iter().enumerate() {
            for (s, c) in row.iter().enumerate() {
                let req = required.get(day).and_then(|d| d.get(s)).copied().unwrap_or(0.0);
                if req == 0.0 && *c == 0.0 {
                    continue;
                }
                ws.write_number(r, 0, day as f64 + 1.0)?;
                ws.write_string(r, 1, hm(s as u32 * step))?;
                ws.write_number(r, 2, req)?;
                ws.write_number(r, 3, *c)?;
                r += 1;
            }
        }
    }
    wb.save_to_buffer()
}
