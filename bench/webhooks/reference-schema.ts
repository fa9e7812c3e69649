/** What the references of bench:webhooks share with the bench: the BullMQ queue name and the PG-batch tables. */
export const REFERENCE_QUEUE = 'webhook-reference';
export const PG_SCHEMA = `
CREATE TABLE IF NOT EXISTS bench_delivery (
  id bigserial PRIMARY KEY, event_id text NOT NULL, url text NOT NULL, body text NOT NULL, status text NOT NULL DEFAULT 'pending',
  next_attempt_at timestamptz NOT NULL DEFAULT now(), lease_until timestamptz, attempts int NOT NULL DEFAULT 0, delivered_at timestamptz);
CREATE INDEX IF NOT EXISTS bench_delivery_due ON bench_delivery (next_attempt_at) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS bench_attempt (id bigserial PRIMARY KEY, delivery text NOT NULL, status int NOT NULL, duration_ms int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;
