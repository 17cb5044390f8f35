-- Routing rules of a queue: its priority among the queues an operator
-- serves, how it picks an operator, priority aging, the expected handling
-- time (for estimated waits) and overflow to a backup queue after a wait.
ALTER TABLE queues ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
ALTER TABLE queues ADD COLUMN mode TEXT NOT NULL DEFAULT 'longest_idle';
ALTER TABLE queues ADD COLUMN aging_s_per_level BIGINT DEFAULT 60;
ALTER TABLE queues ADD COLUMN aht_s BIGINT NOT NULL DEFAULT 300;
ALTER TABLE queues ADD COLUMN overflow_queue_id BIGINT REFERENCES queues(id);
ALTER TABLE queues ADD COLUMN overflow_after_s BIGINT;
-- Key-client routing: how long a key client's contact waits for their own
-- manager (then other key-account managers, then the department head)
-- before anyone in the queue may take it. 0 turns the rule off.
ALTER TABLE queues ADD COLUMN key_client_wait_s BIGINT NOT NULL DEFAULT 60;
