//! Past contacts shaped by the real bank arrival pattern.

use domain::events as ev;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use store::{EventRefs, NewEvent};

use crate::bank::{BankDay, FIRST_SLOT_MIN, SLOTS_PER_DAY};
use crate::people::weighted;

/// The centre's local time is UTC+5 (Almaty).
pub const LOCAL_OFFSET_MS: i64 = 5 * HOUR_MS;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
const SLOT_MS: i64 = 5 * 60_000;

/// Share of a weekday's volume on a Saturday (open 09:00–18:00 only).
const SATURDAY_FACTOR: f64 = 0.35;
/// Saturday opening hours as bank slots: 09:00 up to (not including) 18:00.
const SATURDAY_SLOTS: std::ops::Range<usize> = 24..132;

const CHANNELS: &[(&str, u32)] = &[("voice", 75), ("chat", 13), ("email", 7), ("web_form", 5)];

/// What to generate: see [`history`].
#[derive(Debug, Clone, Copy)]
pub struct HistorySpec<'a> {
    /// The real profile; weekdays cycle through these days in order.
    pub bank: &'a [BankDay],
    /// Calendar days of history, ending the day before `now_ms` (local time).
    pub days: u32,
    pub now_ms: i64,
    /// Multiplier on the bank's volume (1/30 gives a ~1,100-contact weekday).
    pub scale: f64,
    pub seed: u64,
    /// Queues as (id, code); codes sales, support and complaints get their
    /// demo share and handling time, other codes a small share.
    pub queue_ids: &'a [(i64, &'a str)],
    pub customer_ids: &'a [i64],
    /// Agents who answer contacts.
    pub agent_ids: &'a [i64],
    /// Contact ids are assigned sequentially from here, in arrival order.
    pub first_contact_id: i64,
}

/// Per-queue demo parameters.
struct QueueMix<'a> {
    id: Option<i64>,
    code: &'a str,
    mean_talk_s: f64,
    /// Outcome weights: resolved, follow_up, escalated.
    outcomes: [(&'static str, u32); 3],
}

fn queue_mix<'a>(id: Option<i64>, code: &'a str) -> (QueueMix<'a>, u32) {
    let (weight, mean_talk_s, outcomes) = match code {
        "sales" => (35, 240.0, [("resolved", 85), ("follow_up", 12), ("escalated", 3)]),
        "support" => (50, 300.0, [("resolved", 82), ("follow_up", 12), ("escalated", 6)]),
        "complaints" => (15, 420.0, [("resolved", 65), ("follow_up", 22), ("escalated", 13)]),
        _ => (5, 300.0, [("resolved", 80), ("follow_up", 15), ("escalated", 5)]),
    };
    (QueueMix { id, code, mean_talk_s, outcomes }, weight)
}

/// Past contacts for `spec.days` calendar days ending the day before
/// `spec.now_ms`, as events ready for `Store::append_events`, sorted by time.
///
/// Local time is UTC+5. Monday to Friday each take the intraday shape of the
/// next bank day (cycling through `spec.bank`), scaled by `spec.scale`, with
/// the count per five-minute slot drawn from a Poisson distribution. Saturdays
/// run 09:00–18:00 at 35% of a weekday; Sundays are closed.
///
/// Each contact is `contact.offered`, then either `contact.answered` and
/// `contact.closed`, or (about 6%, more at busy times) `contact.abandoned`.
/// Waits are mostly short with a long tail that grows with load; talk times
/// are log-normal around a per-queue mean (sales 240 s, support 300 s,
/// complaints 420 s) and wrap-up takes 30–60 s.
///
/// Returns nothing when `spec.bank` is empty. Deterministic for `spec.seed`.
pub fn history(spec: &HistorySpec) -> Vec<NewEvent> {
    if spec.bank.is_empty() || spec.days == 0 || spec.scale <= 0.0 {
        return Vec::new();
    }
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut queues = Vec::with_capacity(spec.queue_ids.len().max(1));
    let mut queue_weights = Vec::with_capacity(queues.capacity());
    if spec.queue_ids.is_empty() {
        let (q, w) = queue_mix(None, "support");
        queues.push(q);
        queue_weights.push((0, w));
    }
    for (i, &(id, code)) in spec.queue_ids.iter().enumerate() {
        let (q, w) = queue_mix(Some(id), code);
        queues.push(q);
        queue_weights.push((i, w));
    }

    let today = (spec.now_ms + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
    let first_day = today - i64::from(spec.days);
    let plans: Vec<(i64, &BankDay, f64, std::ops::Range<usize>)> = {
        let mut weekdays = 0usize;
        let mut plans = Vec::with_capacity(spec.days as usize);
        for day in first_day..today {
            let bank_day = &spec.bank[weekdays % spec.bank.len()];
            match weekday(day) {
                0..=4 => {
                    plans.push((day, bank_day, 1.0, 0..SLOTS_PER_DAY));
                    weekdays += 1;
                }
                5 => plans.push((day, bank_day, SATURDAY_FACTOR, SATURDAY_SLOTS)),
                _ => {}
            }
        }
        plans
    };
    let expected: f64 = plans
        .iter()
        .map(|(_, b, factor, slots)| b.slots[slots.clone()].iter().map(|&c| f64::from(c)).sum::<f64>() * factor)
        .sum::<f64>()
        * spec.scale;
    let mut events = Vec::with_capacity((expected * 3.1) as usize + 16);
    let mut next_contact = spec.first_contact_id;
    let mut arrivals: Vec<i64> = Vec::with_capacity(64);

    for (day, bank_day, factor, slots) in plans {
        let peak = bank_day.slots[slots.clone()].iter().copied().max().unwrap_or(0).max(1);
        for slot in slots {
            let raw = f64::from(bank_day.slots.get(slot).copied().unwrap_or(0));
            let n = poisson(&mut rng, raw * spec.scale * factor);
            if n == 0 {
                continue;
            }
            // How busy the floor is relative to the day's peak: drives waits
            // and abandonment.
            let load = raw / f64::from(peak);
            let slot_start =
                day * DAY_MS + (i64::from(FIRST_SLOT_MIN) * 60_000) + slot as i64 * SLOT_MS - LOCAL_OFFSET_MS;
            arrivals.clear();
            arrivals.extend((0..n).map(|_| slot_start + rng.gen_range(0..SLOT_MS)));
            arrivals.sort_unstable();
            for &at in &arrivals {
                let q = &queues[weighted(&mut rng, &queue_weights)];
                contact(&mut rng, spec, q, next_contact, at, load, &mut events);
                next_contact += 1;
            }
        }
    }
    events.sort_by_key(|e| e.at);
    events
}

/// Appends the events of one contact arriving at `at`.
fn contact(
    rng: &mut StdRng,
    spec: &HistorySpec,
    q: &QueueMix,
    contact_id: i64,
    at: i64,
    load: f64,
    events: &mut Vec<NewEvent>,
) {
    let channel = weighted(rng, CHANNELS);
    let customer_id = pick(rng, spec.customer_ids);
    let mut refs = EventRefs { contact_id: Some(contact_id), queue_id: q.id, customer_id, ..Default::default() };
    events.push(NewEvent {
        at,
        kind: ev::CONTACT_OFFERED,
        refs,
        payload: json!({"channel": channel, "queue": q.code}),
    });

    if rng.gen_bool((0.02 + 0.06 * load).clamp(0.0, 1.0)) {
        // Patience ran out: a few seconds to several minutes.
        let wait_s = (5.0 + exponential(rng, 60.0)).min(600.0) as i64;
        events.push(NewEvent {
            at: at + wait_s * 1000,
            kind: ev::CONTACT_ABANDONED,
            refs,
            payload: json!({"wait_s": wait_s}),
        });
        return;
    }
    let wait =
        if rng.gen_bool(0.8) { exponential(rng, 3.0 + 12.0 * load) } else { exponential(rng, 40.0 + 150.0 * load) };
    let wait_s = (wait.round() as i64).clamp(1, 900);
    refs.agent_id = pick(rng, spec.agent_ids);
    let answered = at + wait_s * 1000;
    events.push(NewEvent { at: answered, kind: ev::CONTACT_ANSWERED, refs, payload: json!({"wait_s": wait_s}) });

    let talk_s = log_normal(rng, q.mean_talk_s, 0.55).round().clamp(20.0, 3600.0) as i64;
    let wrap_s = rng.gen_range(30..=60i64);
    let outcome = weighted(rng, &q.outcomes);
    events.push(NewEvent {
        at: answered + (talk_s + wrap_s) * 1000,
        kind: ev::CONTACT_CLOSED,
        refs,
        payload: json!({"talk_s": talk_s, "wrap_s": wrap_s, "outcome": outcome}),
    });
}

/// Day of the week of a day number since 1970-01-01 (a Thursday): 0 = Monday … 6 = Sunday.
pub(crate) fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

fn pick(rng: &mut StdRng, ids: &[i64]) -> Option<i64> {
    if ids.is_empty() {
        None
    } else {
        Some(ids[rng.gen_range(0..ids.len())])
    }
}

/// Poisson(λ): Knuth's method for small λ, a rounded normal for large.
fn poisson(rng: &mut StdRng, lambda: f64) -> u32 {
    if lambda <= 0.0 || !lambda.is_finite() {
        return 0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut k = 0u32;
        let mut p: f64 = rng.gen();
        while p > limit {
            k += 1;
            p *= rng.gen::<f64>();
        }
        k
    } else {
        (lambda + lambda.sqrt() * standard_normal(rng)).round().max(0.0) as u32
    }
}

pub(crate) fn standard_normal(rng: &mut StdRng) -> f64 {
    // Box–Muller; 1 - u keeps the logarithm finite.
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn exponential(rng: &mut StdRng, mean: f64) -> f64 {
    -mean * (1.0 - rng.gen::<f64>()).ln()
}

/// Log-normal with the given mean and shape `sigma`.
fn log_normal(rng: &mut StdRng, mean: f64, sigma: f64) -> f64 {
    let mu = mean.ln() - sigma * sigma / 2.0;
    (mu + sigma * standard_normal(rng)).exp()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::bank::parse_bank_calls;

    /// 2025-06-15 15:06:40 UTC, a Sunday.
    const NOW: i64 = 1_750_000_000_000;
    const QUEUES: &[(i64, &str)] = &[(1, "sales"), (2, "support"), (3, "complaints")];

    fn bank() -> Vec<BankDay> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
        let csv = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        parse_bank_calls(&csv).expect("real file parses")
    }

    fn spec<'a>(bank: &'a [BankDay], customers: &'a [i64], agents: &'a [i64], seed: u64) -> HistorySpec<'a> {
        HistorySpec {
            bank,
            days: 90,
            now_ms: NOW,
            scale: 1.0 / 30.0,
            seed,
            queue_ids: QUEUES,
            customer_ids: customers,
            agent_ids: agents,
            first_contact_id: 1000,
        }
    }

    fn local_day(at: i64) -> i64 {
        (at + LOCAL_OFFSET_MS).div_euclid(DAY_MS)
    }

    fn local_hour(at: i64) -> usize {
        ((at + LOCAL_OFFSET_MS).rem_euclid(DAY_MS) / HOUR_MS) as usize
    }

    /// The expected number of contacts, computed independently of `history`.
    fn expected_contacts(s: &HistorySpec) -> f64 {
        let today = local_day(s.now_ms);
        let mut weekdays = 0;
        let mut total = 0.0;
        for day in today - i64::from(s.days)..today {
            let b = &s.bank[weekdays % s.bank.len()].slots;
            let dow = weekday(day);
            if dow < 5 {
                total += b.iter().map(|&c| f64::from(c)).sum::<f64>();
                weekdays += 1;
            } else if dow == 5 {
                // 09:00–17:55
                total += 0.35 * b[24..132].iter().map(|&c| f64::from(c)).sum::<f64>();
            }
        }
        total * s.scale
    }

    #[test]
    fn weekday_numbering() {
        assert_eq!(weekday(0), 3, "1970-01-01 was a Thursday");
        assert_eq!(weekday(local_day(NOW)), 6, "NOW is a Sunday");
    }

    #[test]
    fn history_looks_like_a_real_centre() {
        let bank = bank();
        let customers: Vec<i64> = (1..=2000).collect();
        let agents: Vec<i64> = (1..=10).collect();
        let s = spec(&bank, &customers, &agents, 42);
        let events = history(&s);
        assert!(!events.is_empty());

        // Sorted, in the past, within the requested days.
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at), "sorted by at");
        let today = local_day(NOW);
        assert!(events.iter().all(|e| e.at < NOW), "all in the past");
        assert!(events.iter().all(|e| local_day(e.at) >= today - 90 && local_day(e.at) < today));

        // No Sundays; Saturdays quiet; weekdays busy.
        let offered: Vec<&NewEvent> = events.iter().filter(|e| e.kind == ev::CONTACT_OFFERED).collect();
        assert!(events.iter().all(|e| weekday(local_day(e.at)) != 6), "closed on Sundays");
        let mut per_day: HashMap<i64, usize> = HashMap::new();
        for e in &offered {
            *per_day.entry(local_day(e.at)).or_default() += 1;
        }
        let avg = |dows: &[i64]| {
            let v: Vec<usize> = per_day.iter().filter(|(d, _)| dows.contains(&weekday(**d))).map(|(_, &n)| n).collect();
            assert!(!v.is_empty());
            v.iter().sum::<usize>() as f64 / v.len() as f64
        };
        let weekday_avg = avg(&[0, 1, 2, 3, 4]);
        let saturday_avg = avg(&[5]);
        assert!((900.0..1300.0).contains(&weekday_avg), "weekday {weekday_avg}");
        assert!(saturday_avg < 0.5 * weekday_avg && saturday_avg > 0.15 * weekday_avg, "saturday {saturday_avg}");
        for e in offered.iter().filter(|e| weekday(local_day(e.at)) == 5) {
            assert!((9..18).contains(&local_hour(e.at)), "Saturday contact outside 09–18");
        }

        // Weekday hourly shape peaks in the morning, like the bank.
        let mut hours = [0usize; 24];
        for e in offered.iter().filter(|e| weekday(local_day(e.at)) < 5) {
            hours[local_hour(e.at)] += 1;
        }
        let peak = (0..24).max_by_key(|&h| hours[h]).unwrap_or(0);
        assert!((10..=11).contains(&peak), "peak at {peak}:00, hours {hours:?}");
        assert!(hours[10] > 2 * hours[7] && hours[10] > 2 * hours[20], "{hours:?}");
        assert!(hours[..7].iter().all(|&n| n == 0) && hours[22..].iter().all(|&n| n == 0), "{hours:?}");

        // Volume within ±15% of the scaled bank total.
        let expected = expected_contacts(&s);
        let n = offered.len() as f64;
        assert!((n - expected).abs() < 0.15 * expected, "{n} contacts, expected {expected}");

        // Every contact: offered, then answered + closed or abandoned; ids sequential.
        let mut seq: HashMap<i64, Vec<&str>> = HashMap::new();
        for e in &events {
            let id = e.refs.contact_id.expect("contact id");
            seq.entry(id).or_default().push(e.kind);
            assert!(e.refs.queue_id.is_some() && e.refs.customer_id.is_some());
            let needs_agent = e.kind == ev::CONTACT_ANSWERED || e.kind == ev::CONTACT_CLOSED;
            assert_eq!(e.refs.agent_id.is_some(), needs_agent, "{}", e.kind);
        }
        assert_eq!(seq.len(), offered.len());
        let min = seq.keys().min().copied();
        let max = seq.keys().max().copied();
        assert_eq!(min, Some(1000));
        assert_eq!(max, Some(1000 + seq.len() as i64 - 1));
        let mut abandoned = 0;
        for kinds in seq.values() {
            match kinds.as_slice() {
                [ev::CONTACT_OFFERED, ev::CONTACT_ANSWERED, ev::CONTACT_CLOSED] => {}
                [ev::CONTACT_OFFERED, ev::CONTACT_ABANDONED] => abandoned += 1,
                other => panic!("bad sequence {other:?}"),
            }
        }
        let rate = abandoned as f64 / n;
        assert!((0.05..=0.08).contains(&rate), "abandonment {rate}");

        // Queue and channel mix, handling times.
        let share = |f: &dyn Fn(&NewEvent) -> bool| offered.iter().filter(|e| f(e)).count() as f64 / n;
        let support = share(&|e| e.payload["queue"] == "support" && e.refs.queue_id == Some(2));
        let sales = share(&|e| e.payload["queue"] == "sales");
        let complaints = share(&|e| e.payload["queue"] == "complaints");
        assert!((support - 0.50).abs() < 0.02 && (sales - 0.35).abs() < 0.02 && (complaints - 0.15).abs() < 0.02);
        let voice = share(&|e| e.payload["channel"] == "voice");
        assert!(voice > 0.6, "voice {voice}");
        for ch in ["chat", "email", "web_form"] {
            assert!(share(&|e| e.payload["channel"] == ch) > 0.02, "{ch}");
        }
        let queue_of: HashMap<i64, i64> =
            offered.iter().filter_map(|e| Some((e.refs.contact_id?, e.refs.queue_id?))).collect();
        let mut talk: HashMap<i64, (f64, f64)> = HashMap::new();
        for e in events.iter().filter(|e| e.kind == ev::CONTACT_CLOSED) {
            let t = e.payload["talk_s"].as_f64().expect("talk_s");
            let w = e.payload["wrap_s"].as_i64().expect("wrap_s");
            assert!((30..=60).contains(&w));
            assert!(e.payload["outcome"].is_string());
            let q = queue_of[&e.refs.contact_id.expect("id")];
            let entry = talk.entry(q).or_default();
            entry.0 += t;
            entry.1 += 1.0;
        }
        for (q, target) in [(1, 240.0), (2, 300.0), (3, 420.0)] {
            let (sum, count) = talk[&q];
            let mean = sum / count;
            assert!((mean - target).abs() < 0.1 * target, "queue {q}: mean talk {mean}");
        }
        let waits: Vec<i64> = events
            .iter()
            .filter(|e| e.kind == ev::CONTACT_ANSWERED)
            .map(|e| e.payload["wait_s"].as_i64().expect("wait_s"))
            .collect();
        let short = waits.iter().filter(|&&w| w <= 20).count() as f64 / waits.len() as f64;
        let long = waits.iter().filter(|&&w| w > 120).count() as f64 / waits.len() as f64;
        assert!(short > 0.6 && long > 0.02 && long < 0.2, "short {short}, long {long}");
    }

    #[test]
    fn history_is_deterministic_for_a_seed() {
        let bank = bank();
        let customers: Vec<i64> = (1..=50).collect();
        let agents = [7, 8, 9];
        let mut a = spec(&bank, &customers, &agents, 1);
        a.days = 14;
        let b = a;
        let x = history(&a);
        let y = history(&b);
        assert_eq!(x.len(), y.len());
        assert!(x
            .iter()
            .zip(&y)
            .all(|(p, q)| p.at == q.at && p.kind == q.kind && p.refs == q.refs && p.payload == q.payload));
        let z = history(&HistorySpec { seed: 2, ..a });
        assert!(x.len() != z.len() || x.iter().zip(&z).any(|(p, q)| p.at != q.at));
    }

    #[test]
    fn empty_inputs() {
        let bank = bank();
        assert!(history(&spec(&[], &[1], &[1], 1)).is_empty());
        let mut s = spec(&bank, &[], &[], 1);
        s.days = 7;
        s.queue_ids = &[];
        let events = history(&s);
        assert!(!events.is_empty());
        assert!(events.iter().all(|e| e.refs.customer_id.is_none() && e.refs.agent_id.is_none()));
    }

    #[test]
    fn poisson_mean_and_variance() {
        let mut rng = StdRng::seed_from_u64(3);
        for lambda in [0.5, 4.0, 12.0, 80.0] {
            let xs: Vec<f64> = (0..20_000).map(|_| f64::from(poisson(&mut rng, lambda))).collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
            assert!((mean - lambda).abs() < 0.05 * lambda + 0.05, "λ {lambda}: mean {mean}");
            assert!((var - lambda).abs() < 0.1 * lambda + 0.1, "λ {lambda}: var {var}");
        }
    }
}
