//! Switchboard's vocabulary and rules, with no I/O: roles and what they may
//! do, validation of what users type, masking of personal data, and the kinds
//! of events every state change appends; business calendars (working hours,
//! RU and KZ public holidays as editable data), SLA clocks that count working
//! time and pause while waiting on the customer, and legal deadline clocks for
//! complaints that count calendar days and never pause.
//!
//! Everything here is pure so it can be tested and reused by the store, the
//! server and the command line alike.

pub mod access;
pub mod calendar;
pub mod chat;
pub mod contact;
pub mod contact_work;
pub mod cti;
pub mod customer;
pub mod datafile;
pub mod events;
pub mod legal;
pub mod masking;
pub mod notice;
pub mod queue;
pub mod script;
pub mod service_levels;
pub mod skill;
pub mod sla;
pub mod telegram;
pub mod time;
pub mod topic;
pub mod validate;

pub use access::{Permission, Role};
