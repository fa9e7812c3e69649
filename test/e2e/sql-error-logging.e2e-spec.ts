import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LOG_DESTINATION } from '../../src/logging/logging.module';
import { Actor, ownerWithTeam } from '../factories/users';
import { LogCapture } from '../utils/log-capture';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

describe('a failed SQL statement is logged without its values (e2e)', () => {
  let t: TestApp;
  let logs: LogCapture;
  let owner: Actor & { teamId: string };
  let db: DataSource;
  const CONSTRAINT = 'sb_test_agent_description_check';

  beforeAll(async () => {
    logs = new LogCapture();
    t = await createTestApp({
      env: { LOG_LEVEL: 'debug' },
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(logs),
    });
    owner = await ownerWithTeam(t, 'Acme');
    db = t.app.get(DataSource);
    // A rule only this test's database has, so that a value a user sends makes the INSERT fail in PostgreSQL.
    await db.query(`ALTER TABLE agent ADD CONSTRAINT ${CONSTRAINT} CHECK (description IS NULL OR description NOT LIKE '%canary%')`);
  });
  afterAll(async () => {
    await db.query(`ALTER TABLE agent DROP CONSTRAINT IF EXISTS ${CONSTRAINT}`);
    await t.close();
  });

  it('logs the error code, constraint, table and statement, never the parameters, the row or the SQL text', async () => {
    const canary = `canary-${randomUUID()}`;
    const res = await t
      .http()
      .post(`/v1/teams/${owner.teamId}/agents`)
      .set(owner.auth)
      .send({ name: `Agent ${canary.slice(-6)}`, description: `private note ${canary}` })
      .expect(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'Internal server error', requestId: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain(canary);

    await until(() => logs.text().includes(CONSTRAINT) && logs.text().includes(res.body.requestId), 'the logged failure');
    const text = logs.text();
    expect(text).not.toContain(canary);
    expect(text).not.toContain(canary.slice(-6));
    expect(text).not.toContain('Failing row contains');
    expect(text).not.toMatch(/INSERT INTO "agent"\s*\(/);

    const failure = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg?: string; requestId?: string; err?: Record<string, unknown> })
      .find((l) => l.requestId === res.body.requestId && l.err);
    expect(failure?.err).toMatchObject({ type: 'QueryFailedError', code: '23514', constraint: CONSTRAINT, table: 'agent', statement: 'INSERT INTO agent' });
    expect(failure?.err).not.toHaveProperty('parameters');
    expect(failure?.err).not.toHaveProperty('query');
    expect(failure?.err).not.toHaveProperty('driverError');
    expect(failure?.err).not.toHaveProperty('detail');
  });
});
