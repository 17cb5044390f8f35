//! A queue's routing rules as a supervisor sets them, and their validation.
//! The routing engine takes them as they are; the limits live here so the
//! API, the page and the store refuse the same things.

use serde::{Deserialize, Serialize};

use crate::validate::Invalid;

/// How a queue picks among operators who could take a contact.
pub const MODES: [&str; 3] = ["longest_idle", "least_occupied", "round_robin"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueRules {
    /// 0–100; higher is served first by an operator in several queues.
    pub priority: i64,
    /// longest_idle, least_occupied or round_robin.
    pub mode: String,
    /// Priority aging: a level of priority is worth this many seconds of
    /// waiting (1–3600); absent means strict priority.
    pub aging_s_per_level: Option<i64>,
    /// Expected handling time in seconds (10–7200), for estimated waits.
    pub aht_s: i64,
    /// Backup queue for contacts that wait too long; with `overflow_after_s`.
    pub overflow_queue_id: Option<i64>,
    /// Seconds of waiting before the move (5–86400).
    pub overflow_after_s: Option<i64>,
    /// Seconds a key client's contact is held for their own manager, then
    /// other key-account managers, then the department head (0–3600; 0 off).
    pub key_client_wait_s: i64,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            priority: 0,
            mode: "longest_idle".into(),
            aging_s_per_level: Some(60),
            aht_s: 300,
            overflow_queue_id: None,
            overflow_after_s: None,
            key_client_wait_s: 60,
        }
    }
}

impl QueueRules {
    /// Checks the rules of queue `queue_id` (its own id, so it cannot
    /// overflow into itself).
    pub fn validate(&self, queue_id: i64) -> Result<(), Invalid> {
        let bad = |field, code| Err(Invalid { field, code });
        if !(0..=100).contains(&self.priority) {
            return bad("priority", "invalid-queue-priority");
        }
        if !MODES.contains(&self.mode.as_str()) {
            return bad("mode", "invalid-queue-mode");
        }
        if self.aging_s_per_level.is_some_and(|s| !(1..=3600).contains(&s)) {
            return bad("aging_s_per_level", "invalid-queue-aging");
        }
        if !(10..=7200).contains(&self.aht_s) {
            return bad("aht_s", "invalid-queue-aht");
        }
        match (self.overflow_queue_id, self.overflow_after_s) {
            (None, None) => {}
            (Some(to), Some(after)) => {
                if to == queue_id {
                    return bad("overflow_queue_id", "invalid-queue-overflow-self");
                }
                if !(5..=86_400).contains(&after) {
                    return bad("overflow_after_s", "invalid-queue-overflow-after");
                }
            }
            _ => return bad("overflow_after_s", "invalid-queue-overflow-pair"),
        }
        if !(0..=3600).contains(&self.key_client_wait_s) {
            return bad("key_client_wait_s", "invalid-queue-key-wait");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(QueueRules::default().validate(1), Ok(()));
    }

    #[test]
    fn each_limit_is_enforced() {
        let ok = QueueRules::default;
        let code = |r: QueueRules| r.validate(1).err().map(|e| e.code);
        assert_eq!(code(QueueRules { priority: 101, ..ok() }), Some("invalid-queue-priority"));
        assert_eq!(code(QueueRules { mode: "random".into(), ..ok() }), Some("invalid-queue-mode"));
        assert_eq!(code(QueueRules { aging_s_per_level: Some(0), ..ok() }), Some("invalid-queue-aging"));
        assert_eq!(code(QueueRules { aging_s_per_level: None, ..ok() }), None);
        assert_eq!(code(QueueRules { aht_s: 5, ..ok() }), Some("invalid-queue-aht"));
        let overflow = |to, after| QueueRules { overflow_queue_id: to, overflow_after_s: after, ..ok() };
        assert_eq!(code(overflow(Some(2), Some(120))), None);
        assert_eq!(code(overflow(Some(1), Some(120))), Some("invalid-queue-overflow-self"));
        assert_eq!(code(overflow(Some(2), Some(1))), Some("invalid-queue-overflow-after"));
        assert_eq!(code(overflow(Some(2), None)), Some("invalid-queue-overflow-pair"));
        assert_eq!(code(overflow(None, Some(60))), Some("invalid-queue-overflow-pair"));
        assert_eq!(code(QueueRules { key_client_wait_s: -1, ..ok() }), Some("invalid-queue-key-wait"));
    }
}
