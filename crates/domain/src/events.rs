//! Kinds of events appended to the `events` log. Statistics, wallboards, QA and
//! WFM are projections of this log, so kinds are stable strings.

/// A user account was created.
pub const USER_CREATED: &str = "user.created";
/// A user's roles were replaced.
pub const USER_ROLES_CHANGED: &str = "user.roles_changed";
/// A user's password was changed.
pub const USER_PASSWORD_CHANGED: &str = "user.password_changed";
/// A user's interface language was changed.
pub const USER_LOCALE_CHANGED: &str = "user.locale_changed";
/// A user was deactivated or reactivated.
pub const USER_ACTIVE_CHANGED: &str = "user.active_changed";
/// An API token was issued.
pub const API_TOKEN_ISSUED: &str = "api_token.issued";
/// A customer was registered.
pub const CUSTOMER_CREATED: &str = "customer.created";
/// A queue was created.
pub const QUEUE_CREATED: &str = "queue.created";
/// A contact entered a queue (counts as offered).
pub const CONTACT_OFFERED: &str = "contact.offered";
/// A queued contact was answered by an operator.
pub const CONTACT_ANSWERED: &str = "contact.answered";
/// The customer left the queue before an answer.
pub const CONTACT_ABANDONED: &str = "contact.abandoned";
/// The contact was closed after talk and wrap-up.
pub const CONTACT_CLOSED: &str = "contact.closed";
