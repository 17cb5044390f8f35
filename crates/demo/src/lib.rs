//! Realistic demo data for `switchboard demo`: staff accounts for every role,
//! queues, a two-level topic tree (ru/kk/en) that classifies contacts,
//! customers with Russian and Kazakh names, and months of past contacts whose arrival pattern follows a real call centre.
//!
//! The traffic is shaped by `bank_calls_5min.csv` (five-minute call counts of
//! a large bank's call centre, weekdays 07:00–21:00): each demo weekday takes
//! the intraday curve of one real bank day, scaled down to the size of a small
//! centre and redrawn as Poisson counts, so forecasts, wallboards and reports
//! show the morning ramp, the peak near 10:00, the afternoon decline and the
//! day-to-day noise a planner expects. Saturdays are short and quiet, Sundays
//! closed.
//!
//! The desk is not empty either: operators serve the queues (all offline
//! until someone signs in and goes ready), a few dozen contacts wait in the
//! queues from the start, and [`open_contact`] with [`ArrivalProfile`] drive
//! the live stream the binary runs while the demo is up, arriving at the
//! bank's pace for the local time of day.
//!
//! The order desk has a shop behind it ([`shop()`]): 635 items of a food and
//! household wholesaler-retailer of Almaty (dairy, grocery, drinks, sweets,
//! meat, frozen, household chemicals, hygiene, dishes, household goods,
//! small appliances) with names in Russian, Kazakh and English, prices per
//! client type with quantity tiers, stock in three warehouses (some sold
//! out, e.g. [`SOLD_OUT`], with alternatives in stock), promotions active
//! now, and a year of orders ([`trade()`]) for the customers with client
//! types in realistic shares, with receivables of the trade clients.
//!
//! Named clients for the desk ([`SHOWCASE`]; search by name or phone):
//! - **Жақыпов Ерлан Серікұлы** (+7 728 240 01 01) — a regional client in
//!   Taldykorgan with overdue invoices: the credit gate blocks and redirects
//!   to his manager `senior1`.
//! - **Сейітова Айгүл Маратқызы** (+7 726 240 02 02) — a regional client in
//!   Taraz in good standing (manager `senior2`): the order goes through.
//! - **Омарова Динара Қайратқызы** (+7 727 240 03 03) — a key client in
//!   Almaty in good standing with a large limit (manager `manager1`).
//! - **Ким Виктор Александрович** (+7 727 240 04 04) — a key client over his
//!   credit limit, nothing overdue (manager `manager2`).
//! - **Ли Ольга Николаевна** (+7 725 240 05 05) — a marketplace seller with
//!   overdue debt and no manager: the gate redirects to finance.
//!
//! Everything except [`seed`] is pure and deterministic for a seed, so the
//! same demo can be rebuilt and tested.

mod bank;
mod clients;
mod history;
mod live;
mod people;
mod seed;
mod shop;
pub mod skills;
mod topics;
mod trade;

pub use bank::{parse_bank_calls, BankDay, SLOTS_PER_DAY};
pub use clients::{showcase_customers, Showcase, Standing, SHOWCASE};
pub use history::{history, HistorySpec, LOCAL_OFFSET_MS};
pub use live::{
    open_contact, ArrivalProfile, ContactDraft, LIVE_FLAT_INTERARRIVAL_S, LIVE_MAX_DAY_INTERARRIVAL_S,
    LIVE_MAX_WAITING, LIVE_NIGHT_INTERARRIVAL_S, LIVE_PEAK_INTERARRIVAL_S,
};
pub use people::{customers, duplicates, manager_login, queue_codes, queues, users, DemoQueue, DemoUser, DUPLICATED};
pub use seed::{seed, Seeded, OPEN_CONTACTS};
pub use shop::{promotions, shop, Season, Shop, SOLD_OUT, WAREHOUSES};
pub use topics::{is_demo_topic, past_subject, DemoTopic, TOPICS};
pub use trade::{sales_plan, trade, Buyer, Trade, TradeSpec, MONTH_FACTORS, TRADE_TYPES};
