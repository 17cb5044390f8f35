fn main() {
    let csv = std::fs::read_to_string("/work/shared/data/bank_calls_5min.csv").unwrap();
    let bank = demo::parse_bank_calls(&csv).unwrap();
    let cust: Vec<i64> = (1..=2000).collect();
    let agents: Vec<i64> = (1..=10).collect();
    let q = [(1, "sales"), (2, "support"), (3, "complaints")];
    let t = std::time::Instant::now();
    let ev = demo::history(&demo::HistorySpec { bank: &bank, days: 90, now_ms: 1_750_000_000_000, scale: 1.0/30.0, seed: 0x5b0a_2d02, queue_ids: &q, customer_ids: &cust, agent_ids: &agents, first_contact_id: 1 });
    let el = t.elapsed();
    let contacts = ev.iter().filter(|e| e.kind == "contact.offered").count();
    let ab = ev.iter().filter(|e| e.kind == "contact.abandoned").count();
    println!("history: {:?}, contacts {contacts}, events {}, abandoned {:.3}", el, ev.len(), ab as f64 / contacts as f64);
    let t = std::time::Instant::now();
    let c = demo::customers(2000, 1, 1_750_000_000_000);
    println!("customers: {:?}", t.elapsed());
    for x in c.iter().take(12) { println!("{} | {} | {} | {} | {}", x.full_name, x.phone, x.email, x.client_type, x.locale); }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::connect(&format!("sqlite://{}", dir.path().join("d.db").display())).await.unwrap();
        store.migrate().await.unwrap();
        let t = std::time::Instant::now();
        let s = demo::seed(&store, &csv, 1_750_000_000_000, &|p: &str| p.to_string()).await.unwrap();
        println!("seed: {:?} users {} customers {} contacts {} events {}", t.elapsed(), s.users.len(), s.customers, s.contacts, s.events);
    });
}
