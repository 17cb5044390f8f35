//! `order-load`: orders per second and latency of order creation through
//! the HTTP API, on a fresh SQLite database in durable mode (WAL,
//! `synchronous=FULL`: every acknowledged order survives power loss).
//!
//! It sets up a real installation with the real binary — a 10,000-item
//! catalogue imported by `switchboard catalogue import`, an operator with
//! an API token from `switchboard user token`, customers registered over the
//! API — starts `switchboard serve`, then `--clients` keep-alive clients each
//! create orders of 5 lines (distinct SKUs, quantities 1–3, self-pick-up,
//! card link prepaid) back to back. Every answer must be 201; the report is
//! orders/s over the measured run and the latency percentiles.
//!
//! ```text
//! cargo build --release -p switchboard -p switchboard-bench --bin order-load
//! target/release/order-load --switchboard target/release/switchboard --clients 4 --orders 4000
//! ```

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ITEMS: u32 = 10_000;
const CUSTOMERS: u32 = 200;
const LINES: usize = 5;

struct Args {
    switchboard: PathBuf,
    clients: usize,
    orders: u64,
    warmup: u64,
    json_out: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: order-load [--switchboard PATH] [--clients N] [--orders N] [--warmup N] [--json FILE]\n\
         defaults: target/release/switchboard, 4 clients, 4000 orders, 200 warm-up orders"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        switchboard: PathBuf::from("target/release/switchboard"),
        clients: 4,
        orders: 4_000,
        warmup: 200,
        json_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--switchboard" => a.switchboard = PathBuf::from(value()),
            "--clients" => a.clients = value().parse().unwrap_or_else(|_| usage()),
            "--orders" => a.orders = value().parse().unwrap_or_else(|_| usage()),
            "--warmup" => a.warmup = value().parse().unwrap_or_else(|_| usage()),
            "--json" => a.json_out = Some(PathBuf::from(value())),
            _ => usage(),
        }
    }
    if a.clients == 0 || a.orders == 0 {
        usage()
    }
    a
}

type Res<T> = Result<T, String>;

fn run(bin: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Res<String> {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!("switchboard {args:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A catalogue with stock that a long run cannot exhaust.
fn catalogue_csv() -> String {
    let mut s = String::from("sku,name_ru,name_kk,category,unit,vat,price_retail,price_regional,tiers,stock\n");
    for r in 1..=ITEMS {
        s.push_str(&format!(
            "BENCH-{r:05},Товар №{r},Тауар №{r},Продукты > Бакалея,pcs,12,{}.50,{}.00,10:3;100:7.5,main:100000000;almaty:1000000\n",
            100 + r % 900,
            95 + r % 900
        ));
    }
    s
}

/// Deterministic per-client random numbers (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn order_body(rng: &mut Rng, customers: &[i64], key: &str) -> Value {
    let customer = customers[(rng.next() % customers.len() as u64) as usize];
    let mut skus: Vec<u32> = Vec::with_capacity(LINES);
    while skus.len() < LINES {
        let s = (rng.next() % u64::from(ITEMS)) as u32 + 1;
        if !skus.contains(&s) {
            skus.push(s);
        }
    }
    let lines: Vec<Value> =
        skus.iter().map(|s| json!({"sku": format!("BENCH-{s:05}"), "qty": 1 + rng.next() % 3})).collect();
    json!({
        "customer_id": customer,
        "lines": lines,
        "receiver": {"name": "Айгүл Сейітова", "phone": "+7 701 123 45 67"},
        "delivery": {"method": "self_pickup", "address": "", "pickup_point": ""},
        "payment": {"method": "card_link", "terms": "prepaid"},
        "request_key": key,
    })
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Res<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

fn main() {
    let args = parse_args();
    if let Err(e) = bench(&args) {
        eprintln!("order-load: {e}");
        std::process::exit(1);
    }
}

fn bench(args: &Args) -> Res<()> {
    let bin = std::fs::canonicalize(&args.switchboard).map_err(|e| {
        format!("{}: {e} (build it with cargo build --release -p switchboard)", args.switchboard.display())
    })?;
    let dir = std::env::temp_dir().join(format!("switchboard-order-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = format!("sqlite://{}", dir.join("bench.db").display());
    let env = [
        ("SWITCHBOARD_DATABASE", db.as_str()),
        ("SWITCHBOARD_PASSWORD", "bench-password-1"),
        ("SWITCHBOARD_LOG", "warn"),
    ];

    let csv = dir.join("catalogue.csv");
    std::fs::write(&csv, catalogue_csv()).map_err(|e| e.to_string())?;
    run(&bin, &dir, &["migrate"], &env)?;
    run(&bin, &dir, &["catalogue", "import", &csv.display().to_string()], &env)?;
    run(&bin, &dir, &["user", "add", "--login", "bench", "--name", "Bench Operator", "--role", "operator"], &env)?;
    run(
        &bin,
        &dir,
        &["user", "add", "--login", "bench-admin", "--name", "Bench Admin", "--role", "administrator"],
        &env,
    )?;
    let token_of = |login: &str| -> Res<String> {
        run(&bin, &dir, &["user", "token", "--login", login, "--name", "order-load"], &env)?
            .lines()
            .last()
            .map(|l| l.trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| "`switchboard user token` printed no token".to_string())
    };
    let token = token_of("bench")?;
    let admin_token = token_of("bench-admin")?;

    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(&bin)
        .args(["serve", "--listen", &listen])
        .current_dir(&dir)
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut server = Server(child);
    let stderr = server.0.stderr.take();
    std::thread::spawn(move || {
        if let Some(s) = stderr {
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                eprintln!("[serve] {line}");
            }
        }
    });
    let base = format!("http://{listen}");
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
    let started = Instant::now();
    while agent.get(&format!("{base}/healthz")).call().is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            return Err("the server did not answer /healthz within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    let auth = format!("Bearer {token}");
    // API orders open their contact in the `sales` queue.
    agent
        .post(&format!("{base}/api/v1/queues"))
        .set("Authorization", &format!("Bearer {admin_token}"))
        .send_json(json!({"code": "sales", "name_ru": "Продажи", "name_kk": "Сату", "name_en": "Sales"}))
        .map_err(|e| format!("queue sales: {e}"))?;
    let mut customers = Vec::new();
    for i in 0..CUSTOMERS {
        let body = json!({
            "full_name": format!("Клиент нагрузки {i}"),
            "client_type": if i % 2 == 0 { "regional" } else { "retail" },
            "identities": [{"kind": "phone", "value": format!("+7 701 {:03} {:02} {:02}", i / 100 + 100, (i / 10) % 100, i % 100)}],
            "consent": true,
        });
        let v: Value = agent
            .post(&format!("{base}/api/v1/customers"))
            .set("Authorization", &auth)
            .send_json(body)
            .map_err(|e| format!("customer {i}: {e}"))?
            .into_json()
            .map_err(|e| e.to_string())?;
        customers.push(v["customer"]["id"].as_i64().ok_or_else(|| format!("customer {i}: no id in {v}"))?);
    }
    let customers = Arc::new(customers);

    let phase = |n: u64, tag: &str| -> Res<(Duration, Vec<u64>)> {
        let next = Arc::new(AtomicU64::new(0));
        let t0 = Instant::now();
        let handles: Vec<_> = (0..args.clients)
            .map(|c| {
                let (next, customers, base, auth, tag) =
                    (next.clone(), customers.clone(), base.clone(), auth.clone(), tag.to_string());
                std::thread::spawn(move || -> Res<Vec<u64>> {
                    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
                    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((c as u64 + 1) * 0x1000_0001));
                    let mut lat = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return Ok(lat);
                        }
                        let body = order_body(&mut rng, &customers, &format!("{tag}-{i}"));
                        let t = Instant::now();
                        let resp = agent
                            .post(&format!("{base}/api/v1/orders"))
                            .set("Authorization", &auth)
                            .send_json(body)
                            .map_err(|e| match e {
                                ureq::Error::Status(code, r) => {
                                    format!("order {i}: HTTP {code}: {}", r.into_string().unwrap_or_default())
                                }
                                other => format!("order {i}: {other}"),
                            })?;
                        lat.push(t.elapsed().as_micros() as u64);
                        if resp.status() != 201 {
                            return Err(format!("order {i}: HTTP {} (expected 201)", resp.status()));
                        }
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| "a client thread panicked".to_string())??);
        }
        Ok((t0.elapsed(), all))
    };

    phase(args.warmup, "warmup")?;
    let (took, mut lat) = phase(args.orders, "run")?;
    lat.sort_unstable();
    let per_s = lat.len() as f64 / took.as_secs_f64();
    let report = json!({
        "what": "POST /api/v1/orders, 5 lines, SQLite WAL synchronous=FULL",
        "items": ITEMS,
        "customers": CUSTOMERS,
        "clients": args.clients,
        "orders": lat.len(),
        "seconds": (took.as_secs_f64() * 1000.0).round() / 1000.0,
        "orders_per_s": (per_s * 10.0).round() / 10.0,
        "p50_ms": percentile(&lat, 0.50),
        "p90_ms": percentile(&lat, 0.90),
        "p99_ms": percentile(&lat, 0.99),
        "max_ms": percentile(&lat, 1.0),
    });
    println!(
        "{} orders of {LINES} lines by {} clients in {:.2} s: {per_s:.1} orders/s; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        args.clients,
        took.as_secs_f64(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
    if let Some(path) = &args.json_out {
        let mut f = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        writeln!(f, "{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
