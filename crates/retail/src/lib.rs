//! The rules of Switchboard's order desk (issue 6, the remote-retail half):
//! the catalogue and its import/export ([`catalogue`]), the price of a line
//! and an order ([`pricing`]), the credit gate of 004:225–227 ([`credit`]),
//! offer prompts of 004:229 ([`offers`]), the order lifecycle ([`order`]),
//! returns against statutory windows ([`returns`]) and the shop manager's
//! analytics ([`analytics`]).
//!
//! The crate is **pure**: no I/O, no database, no clock. Callers pass times
//! and bytes in and get values back; the store, the server and the desk wire
//! these rules up. Money is always an integer number of minor units (tiyn,
//! kopecks) — see [`Money`] — and every rounding is explicit (half-up, per
//! line). The column format of catalogue files, the pricing and rounding
//! rules and the return presets are documented in `docs/RETAIL.md`.

pub mod analytics;
pub mod catalogue;
pub mod credit;
pub mod money;
pub mod offers;
pub mod order;
pub mod pricing;
pub mod returns;
mod table;

pub use money::Money;

/// Errors that are not a list of faults: a file that cannot be read at all,
/// a preset file with a typo, an impossible stock operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are neither a readable workbook nor UTF-8 CSV text, or the
    /// header lacks a required column.
    #[error("cannot read the file: {0}")]
    File(String),
    /// A data preset (e.g. `data/return_windows.toml`) is malformed.
    #[error("bad preset: {0}")]
    Preset(#[from] domain::datafile::DataError),
    /// A stock movement would make a quantity negative.
    #[error("not enough stock of {sku} in {warehouse}: {available} available, {wanted} wanted")]
    NotEnoughStock { sku: String, warehouse: String, available: i64, wanted: i64 },
    /// A quantity that must be positive is not.
    #[error("quantity must be positive, got {0}")]
    BadQuantity(i64),
}
