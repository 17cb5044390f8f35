//! Switchboard's vocabulary and rules, with no I/O: roles and what they may
//! do, validation of what users type, masking of personal data, and the kinds
//! of events every state change appends.
//!
//! Everything here is pure so it can be tested and reused by the store, the
//! server and the command line alike.

pub mod access;
pub mod events;
pub mod masking;
pub mod validate;

pub use access::{Permission, Role};
