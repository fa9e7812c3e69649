/**
 * The dispatcher's statements. Each is ONE round trip for a whole batch: a claim takes up to N due deliveries,
 * a record writes every attempt of a batch and the deliveries' new states.
 */

/**
 * Claims due deliveries, fairly:
 * - teams in a ring: from the team after `$1` in id order, each team with pending deliveries once (a loose index scan
 *   over idx_webhook_delivery_due, so the cost follows the teams served, not the number of endpoints or rows);
 * - within a team, every endpoint that may take more gets an equal share of the team's quantum `$6` (returned as
 *   `endpoint_share`: an endpoint that got its whole share may have more due, so the dispatcher claims again at once);
 * - per endpoint, at most what this worker may still hold (`$7`, or `$9[i]` for the busy endpoints `$8`), what its
 *   rate limit allows within the horizon `$10` ms (slots are reserved in `rate_next_at` under a row lock, so the limit
 *   holds across workers), and for a FIFO endpoint only the head of its queue (lowest `seq`), when due and unleased.
 * Rows are locked with SKIP LOCKED (two workers never wait for, or take, the same rows) and leased until `$3`.
 * `$2` = now, `$11` = due before (now + a small tolerance), `$4` = claimer, `$5` = batch size.
 */
export const CLAIM_SQL = `
WITH RECURSIVE teams(team_id) AS (
  SELECT (SELECT d.team_id FROM webhook_delivery d WHERE d.status = 'pending' AND d.team_id > $1::uuid ORDER BY d.team_id LIMIT 1)
  UNION ALL
  SELECT (SELECT d.team_id FROM webhook_delivery d WHERE d.status = 'pending' AND d.team_id > t.team_id ORDER BY d.team_id LIMIT 1)
  FROM teams t WHERE t.team_id IS NOT NULL
),
picked AS (
  SELECT c.id, c.team_id, c.endpoint_id, c.rate, c.rate_base, c.lim
  FROM teams t
  CROSS JOIN LATERAL (
    SELECT dd.id, t.team_id, ep.id AS endpoint_id, ep.rate_limit_per_second AS rate, greatest(rl.rate_next_at, $2::timestamptz) AS rate_base, l.lim
    FROM (
      SELECT e.id, e.ordering, e.rate_limit_per_second,
        -- the team's quantum is shared among the endpoints that may take something (not one at its cap)
        count(*) FILTER (WHERE coalesce(($9::int[])[array_position($8::uuid[], e.id)], $7::int) > 0) OVER () AS n
      FROM webhook_endpoint e WHERE e.team_id = t.team_id
    ) ep
    LEFT JOIN LATERAL (
      SELECT r.rate_next_at, true AS locked FROM webhook_endpoint r
      WHERE r.id = ep.id AND ep.rate_limit_per_second IS NOT NULL
      FOR NO KEY UPDATE SKIP LOCKED
    ) rl ON true
    CROSS JOIN LATERAL (
      SELECT least(
        coalesce(($9::int[])[array_position($8::uuid[], ep.id)], $7::int),
        greatest(1, ceil($6::numeric / greatest(ep.n, 1)))::int,
        CASE
          WHEN ep.rate_limit_per_second IS NULL THEN 2147483647
          WHEN rl.locked IS NULL THEN 0
          ELSE greatest(0, floor(
            extract(epoch FROM ($2::timestamptz + $10::int * interval '1 millisecond') - greatest(rl.rate_next_at, $2::timestamptz))
            * ep.rate_limit_per_second))::int
        END
      ) AS lim
    ) l
    CROSS JOIN LATERAL (
      SELECT a.id FROM (
        SELECT d.id FROM webhook_delivery d
        WHERE ep.ordering = 'none' AND d.team_id = t.team_id AND d.endpoint_id = ep.id AND d.status = 'pending'
          AND d.next_attempt_at <= $11::timestamptz AND (d.claimed_until IS NULL OR d.claimed_until <= $2::timestamptz)
        ORDER BY d.next_attempt_at
        LIMIT l.lim
        FOR UPDATE SKIP LOCKED
      ) a
      UNION ALL
      SELECT b.id FROM (
        SELECT h.id FROM webhook_delivery h
        WHERE ep.ordering = 'fifo' AND l.lim > 0 AND h.endpoint_id = ep.id AND h.status = 'pending' AND h.fifo
        ORDER BY h.seq
        LIMIT 1
      ) head
      CROSS JOIN LATERAL (
        SELECT d.id FROM webhook_delivery d
        WHERE d.id = head.id AND d.status = 'pending'
          AND d.next_attempt_at <= $11::timestamptz AND (d.claimed_until IS NULL OR d.claimed_until <= $2::timestamptz)
        FOR UPDATE SKIP LOCKED
      ) b
    ) dd
  ) c
  WHERE t.team_id IS NOT NULL
  LIMIT $5::int
),
numbered AS (
  SELECT p.*, row_number() OVER (PARTITION BY p.endpoint_id) - 1 AS slot FROM picked p
),
rate AS (
  UPDATE webhook_endpoint e SET rate_next_at = x.base + x.n * (interval '1 second' / x.rate)
  FROM (SELECT endpoint_id, max(rate_base) AS base, max(rate) AS rate, count(*) AS n FROM numbered WHERE rate IS NOT NULL GROUP BY endpoint_id) x
  WHERE e.id = x.endpoint_id
),
claimed AS (
  -- by primary key, from the array (a join here may hash the whole table)
  UPDATE webhook_delivery w SET claimed_until = $3::timestamptz, claimed_by = $4
  WHERE w.id = ANY (ARRAY(SELECT id FROM numbered))
  RETURNING w.id, w.team_id, w.event_id, w.endpoint_id, w.attempt_count, w.round_attempts, w.round_started_at
)
SELECT c.*, n.lim AS endpoint_share, CASE WHEN n.rate IS NULL THEN NULL ELSE n.rate_base + n.slot * (interval '1 second' / n.rate) END AS send_at,
       e.type, e.data, e.created_at AS event_created_at,
       ep.url, ep.status AS endpoint_status, ep.ordering, ep.secret_encrypted, ep.previous_secret_encrypted, ep.previous_secret_expires_at
FROM claimed c
JOIN numbered n ON n.id = c.id
-- one index lookup per row (LIMIT keeps these from becoming hash joins over whole tables)
CROSS JOIN LATERAL (SELECT x.type, x.data, x.created_at FROM webhook_event x WHERE x.id = c.event_id LIMIT 1) e
CROSS JOIN LATERAL (
  SELECT x.url, x.status, x.ordering, x.secret_encrypted, x.previous_secret_encrypted, x.previous_secret_expires_at
  FROM webhook_endpoint x WHERE x.id = c.endpoint_id LIMIT 1
) ep`;

/**
 * A batch's attempt rows and the deliveries' new states, in one statement: `$1` is a JSON array of results, each an
 * array in the order read below (DeliveryBatchRepository.record writes them), times as epoch milliseconds. One string
 * for the driver instead of 14 arrays it escapes element by element; positional, because keys and ISO dates were half
 * of the text PostgreSQL parsed (recording −15 % per row). A delivery's state is written only while
 * the recording dispatcher still holds its lease (`$2`, checked on the row as it is updated): after a lease ran out and
 * another worker took the delivery, the late result is kept as an attempt but does not overwrite the newer state.
 * An attempt is inserted only for a delivery this statement updated or locked (`late`), so a delivery deleted
 * meanwhile (with its endpoint) gets none: the deletion either waits for this statement or is seen by it. That is what
 * a foreign key checked, without a check per row (there is none; deleting deliveries deletes their attempts by a
 * trigger).
 */
export const RECORD_SQL = `
WITH d AS (
  SELECT (r->>0)::uuid AS id, (r->>1)::int AS attempt_number, r->2 AS request_headers, (r->>3)::int AS status_code,
         r->>4 AS response_body, (r->>5)::int AS duration_ms, r->>6 AS error_code, r->>7 AS error_message,
         to_timestamp((r->>8)::float8 / 1000) AS attempted_at, r->>9 AS status, (r->>10)::int AS round_attempts,
         to_timestamp((r->>11)::float8 / 1000) AS round_started_at, to_timestamp((r->>12)::float8 / 1000) AS next_attempt_at,
         to_timestamp((r->>13)::float8 / 1000) AS delivered_at
  FROM jsonb_array_elements($1::jsonb) r
), updated AS (
  UPDATE webhook_delivery w SET
    status = d.status::webhook_delivery_status, attempt_count = d.attempt_number, round_attempts = d.round_attempts,
    round_started_at = d.round_started_at, next_attempt_at = d.next_attempt_at, claimed_until = NULL, claimed_by = NULL,
    last_attempt_at = d.attempted_at, last_status_code = d.status_code, last_error_code = d.error_code, delivered_at = d.delivered_at,
    updated_at = now()
  FROM d WHERE w.id = d.id AND w.claimed_by = $2
  RETURNING w.id
), late AS (
  -- results this dispatcher no longer holds the lease of (rare): kept as attempts while their delivery exists
  SELECT x.id FROM webhook_delivery x
  WHERE x.id = ANY (ARRAY(SELECT id FROM d EXCEPT ALL SELECT id FROM updated))
  FOR KEY SHARE
)
INSERT INTO webhook_attempt (delivery_id, attempt_number, request_headers, status_code, response_body, duration_ms, error_code, error_message, created_at)
SELECT d.id, d.attempt_number, d.request_headers, d.status_code, d.response_body, d.duration_ms, d.error_code, d.error_message, d.attempted_at
FROM d WHERE d.id IN (SELECT id FROM updated UNION ALL SELECT id FROM late)`;

/** Gives claimed deliveries back unsent (shutdown, or a lease too short to send within): due again at once. */
export const RELEASE_SQL = `
UPDATE webhook_delivery SET claimed_until = NULL, claimed_by = NULL
WHERE id = ANY ($1::uuid[]) AND claimed_by = $2 AND status = 'pending'`;

/** Deliveries claimed for an endpoint that was disabled meanwhile: recorded as skipped (recover sends them). */
export const SKIP_SQL = `
UPDATE webhook_delivery SET status = 'skipped', next_attempt_at = NULL, claimed_until = NULL, claimed_by = NULL, updated_at = now()
WHERE id = ANY ($1::uuid[]) AND claimed_by = $2 AND status = 'pending'`;
