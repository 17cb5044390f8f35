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
/// A duplicate customer was merged into another (its identities and contacts moved).
pub const CUSTOMER_MERGED: &str = "customer.merged";
/// A customer's assigned manager was set or cleared.
pub const CUSTOMER_MANAGER_CHANGED: &str = "customer.manager_changed";
/// A customer gave or withdrew consent to the processing of personal data.
pub const CUSTOMER_CONSENT_CHANGED: &str = "customer.consent_changed";
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
/// A contact was registered.
pub const CONTACT_CREATED: &str = "contact.created";
/// A queued contact was offered to an operator (not yet accepted).
pub const CONTACT_PRESENTED: &str = "contact.presented";
/// An offered contact went back to its queue (declined, timed out, revoked).
pub const CONTACT_REQUEUED: &str = "contact.requeued";
/// A contact was redirected to another queue.
pub const CONTACT_TRANSFERRED: &str = "contact.transferred";
/// A contact started or stopped waiting on the customer or a department.
pub const CONTACT_STATUS_CHANGED: &str = "contact.status_changed";
/// A contact was resolved with its wrap-up.
pub const CONTACT_RESOLVED: &str = "contact.resolved";
/// An operator's state changed (ready, not ready with a reason, offline).
pub const AGENT_STATE_CHANGED: &str = "agent.state_changed";
/// An operator was added to a queue.
pub const QUEUE_MEMBER_ADDED: &str = "queue.member_added";
/// The operator took a step in the script run inside a contact.
pub const CONTACT_SCRIPT_STEP: &str = "contact.script_step";
/// An SLA or legal clock of a contact became at risk or breached; the
/// supervisors were alerted (escalation).
pub const CONTACT_SLA_ALERT: &str = "contact.sla_alert";
/// A supervisor acknowledged an SLA alert.
pub const CONTACT_SLA_ALERT_ACKNOWLEDGED: &str = "contact.sla_alert_acknowledged";
/// A supervisor changed a queue's routing rules.
pub const QUEUE_RULES_CHANGED: &str = "queue.rules_changed";
/// An administrator changed the service levels (SLA targets, legal presets).
pub const SERVICE_LEVELS_CHANGED: &str = "settings.service_levels_changed";
/// An internal note was added to a contact (staff only).
pub const CONTACT_NOTE_ADDED: &str = "contact.note_added";
/// A file was attached to a contact.
pub const CONTACT_ATTACHMENT_ADDED: &str = "contact.attachment_added";
/// A contact was linked to another contact or to an order.
pub const CONTACT_LINKED: &str = "contact.linked";
/// A resolved contact was closed for good (status `closed`). Not
/// `contact.closed`, which history uses for a handled contact with its talk
/// and wrap-up times.
pub const CONTACT_CASE_CLOSED: &str = "contact.case_closed";
/// A resolved or closed contact was reopened and went back to its queue.
pub const CONTACT_REOPENED: &str = "contact.reopened";
/// A written reply to the customer was recorded on a contact (delivered later by its channel).
pub const CONTACT_REPLY_RECORDED: &str = "contact.reply_recorded";
/// A topic was added to the topic tree.
pub const TOPIC_CREATED: &str = "topic.created";
/// A topic was renamed, moved, given another suggested type, deactivated or
/// reactivated.
pub const TOPIC_CHANGED: &str = "topic.changed";
/// A skill was added to the catalogue.
pub const SKILL_CREATED: &str = "skill.created";
/// A skill was renamed, deactivated or reactivated.
pub const SKILL_CHANGED: &str = "skill.changed";
/// An operator's skills and levels were replaced.
pub const OPERATOR_SKILLS_CHANGED: &str = "operator.skills_changed";
/// An operator's capacity per channel was replaced.
pub const OPERATOR_CAPACITY_CHANGED: &str = "operator.capacity_changed";
/// The skills a queue requires of its contacts' operators were replaced.
pub const QUEUE_SKILLS_CHANGED: &str = "queue.skills_changed";
/// The skills a contact requires were replaced (by a supervisor).
pub const CONTACT_SKILLS_CHANGED: &str = "contact.skills_changed";
/// The planner stored an interval history (uploaded, or counted from the centre's contacts).
pub const PLANNING_SERIES_IMPORTED: &str = "planning.series_imported";
/// The planner ran a forecast on a history and stored it with its backtest report.
pub const PLANNING_FORECAST_CREATED: &str = "planning.forecast_created";
/// The planner stored a staffing plan (agents per interval) for a forecast.
pub const PLANNING_STAFFING_CREATED: &str = "planning.staffing_created";
/// A schedule (roster) was stored as a draft.
pub const PLANNING_SCHEDULE_CREATED: &str = "planning.schedule_created";
/// A draft schedule was published: the operators it names now see their shifts.
pub const PLANNING_SCHEDULE_PUBLISHED: &str = "planning.schedule_published";
/// A PBX integration (CTI webhook token) was created.
pub const CTI_INTEGRATION_CREATED: &str = "cti.integration_created";
/// A PBX integration was revoked: its token stops working.
pub const CTI_INTEGRATION_REVOKED: &str = "cti.integration_revoked";
/// A call put on hold.
pub const CALL_HELD: &str = "call.held";
/// A held call resumed (payload: the hold in ms).
pub const CALL_RESUMED: &str = "call.resumed";
/// A call ended after being answered (payload: talk and hold in ms, cause).
pub const CALL_ENDED: &str = "call.ended";
/// A call's recording was linked or uploaded.
pub const CALL_RECORDING_ADDED: &str = "call.recording_added";
/// Click-to-call: a dial request was sent to the PBX.
pub const CALL_DIAL_REQUESTED: &str = "call.dial_requested";
/// An administrator configured an email mailbox (IMAP in, SMTP out).
pub const MAILBOX_CREATED: &str = "mailbox.created";
/// An administrator changed a mailbox's settings or passwords.
pub const MAILBOX_CHANGED: &str = "mailbox.changed";
/// A letter arrived on a contact (the first one creates it; answers thread in).
pub const CONTACT_EMAIL_RECEIVED: &str = "contact.email_received";
/// A reply letter was handed to the SMTP server.
pub const CONTACT_EMAIL_SENT: &str = "contact.email_sent";
/// A reply letter could not be delivered (SMTP refused it, or a bounce came back).
pub const CONTACT_DELIVERY_FAILED: &str = "contact.delivery_failed";
/// A letter was processed and left alone (auto-reply, bulk, list, our own, no sender).
pub const EMAIL_IGNORED: &str = "email.ignored";
/// A customer notice was handed to its channel (payload: via, masked address, attempts).
pub const NOTICE_SENT: &str = "notice.sent";
/// A customer notice attempt failed and will be tried again (payload: error, next attempt).
pub const NOTICE_RETRY: &str = "notice.retry_scheduled";
/// A customer notice was given up: refused for good or out of attempts (payload: error).
pub const NOTICE_FAILED: &str = "notice.failed";
/// A customer notice has no way to reach the customer (payload: reason).
pub const NOTICE_UNDELIVERABLE: &str = "notice.undeliverable";
/// An administrator added a notice gateway (SMS / messenger webhook).
pub const NOTICE_GATEWAY_CREATED: &str = "notice_gateway.created";
/// An administrator changed a notice gateway.
pub const NOTICE_GATEWAY_CHANGED: &str = "notice_gateway.changed";
/// An administrator changed the texts of customer notices (per key and language).
pub const NOTICE_TEXTS_CHANGED: &str = "notice_texts.changed";
/// A notice letter was stored with its Message-ID, so the customer's answer threads.
pub const NOTICE_LETTER_KEPT: &str = "notice.letter_kept";
/// An administrator configured a Telegram bot (the token never in the payload).
pub const TELEGRAM_BOT_CREATED: &str = "telegram.bot_created";
/// An administrator changed a bot's settings, token or webhook secret.
pub const TELEGRAM_BOT_CHANGED: &str = "telegram.bot_changed";
/// A messenger message arrived on a contact (the first one creates it; later ones thread in).
pub const CONTACT_MESSENGER_RECEIVED: &str = "contact.messenger_received";
/// A reply went out through the messenger (payload: the messenger's message ids).
pub const CONTACT_MESSENGER_SENT: &str = "contact.messenger_sent";
/// An update from the messenger was processed and left alone (edits, groups, buttons …).
pub const TELEGRAM_UPDATE_IGNORED: &str = "telegram.update_ignored";
/// A messenger send failed for now (5xx, timeout, 429) and will be tried again.
pub const CONTACT_MESSENGER_RETRY: &str = "contact.messenger_retry";
/// A web chat began: its session was opened for a new chat contact.
pub const CHAT_STARTED: &str = "chat.started";
/// A message of a web chat was stored (visitor, operator or system).
pub const CHAT_MESSAGE: &str = "chat.message";
/// The visitor ended a web chat (the contact stays with its operator for the wrap-up).
pub const CHAT_ENDED: &str = "chat.ended";
/// A chat's transcript was e-mailed to the visitor.
pub const CHAT_TRANSCRIPT_SENT: &str = "chat.transcript_sent";
/// A catalogue file was applied: every item upserted by SKU with its prices and stock (payload: created, updated).
pub const CATALOGUE_IMPORTED: &str = "catalogue.imported";
// ---- Orders (issue 6): every change of an order; order_id, contact_id and customer_id are set.
/// An order was taken (payload: status, source, total, lines).
pub const ORDER_CREATED: &str = "order.created";
pub const ORDER_CONFIRMED: &str = "order.confirmed";
pub const ORDER_PAID: &str = "order.paid";
pub const ORDER_PICKED: &str = "order.picked";
pub const ORDER_PACKED: &str = "order.packed";
/// Shipped (payload: carrier, tracking, the warehouses the goods left).
pub const ORDER_SHIPPED: &str = "order.shipped";
pub const ORDER_DELIVERED: &str = "order.delivered";
pub const ORDER_CLOSED: &str = "order.closed";
/// Cancelled (payload: reason, refund).
pub const ORDER_CANCELLED: &str = "order.cancelled";
/// The credit gate blocked an order and the contact went to the manager or finance.
pub const ORDER_BLOCKED: &str = "order.blocked";
/// A customer's receivables or credit limit were set.
pub const CUSTOMER_ACCOUNT_CHANGED: &str = "customer_account.changed";
/// The order settings (offer threshold, tariffs, pick-up points, queues) were replaced.
pub const ORDER_SETTINGS_CHANGED: &str = "order_settings.changed";
