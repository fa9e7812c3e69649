// Per Jest worker: its own database (cloned from the template by createTestApp) and its own BullMQ prefix, both under
// the run's prefix (run-prefix.ts) so the global teardown removes them.
import { TEST_DB_PREFIX } from './test-db';

const worker = process.env.JEST_WORKER_ID ?? '1';
process.env.NODE_ENV = 'test';
process.env.TEST_WORKER_DB = `${TEST_DB_PREFIX}_w${worker}`;
process.env.BULLMQ_PREFIX = `${TEST_DB_PREFIX}-w${worker}p${process.pid}`;
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789abcdef';
process.env.ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;
process.env.MIGRATIONS_RUN = 'false';
