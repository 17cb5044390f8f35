-- Per-contact event lookups (SLA clocks, the contact timeline).
CREATE INDEX events_contact ON events(contact_id);
