import { randomBytes } from 'node:crypto';

/**
 * Everything a test run makes on the shared PostgreSQL and Redis is named after one prefix: databases
 * `<prefix>_…`, BullMQ keys `<prefix>-…`. TEST_DB_PREFIX sets it; by default every run gets its own
 * (`sbt_` and 6 random hex digits), so two checkouts on one machine never touch each other's databases or keys.
 * Jest runs the global setup before it starts its workers, which inherit the variable.
 */
if (!process.env.TEST_DB_PREFIX) process.env.TEST_DB_PREFIX = `sbt_${randomBytes(3).toString('hex')}`;

// Lower case (PostgreSQL folds unquoted names), and short enough that `<prefix>-w<worker>p<pid>` fits BULLMQ_PREFIX (32).
if (!/^[a-z][a-z0-9_]{0,19}$/.test(process.env.TEST_DB_PREFIX)) {
  throw new Error(`TEST_DB_PREFIX must be 1-20 of a-z, 0-9 and _, starting with a letter (got "${process.env.TEST_DB_PREFIX}")`);
}

export const RUN_PREFIX: string = process.env.TEST_DB_PREFIX;
