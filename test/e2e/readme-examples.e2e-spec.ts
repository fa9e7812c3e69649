import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { until } from '../utils/wait';

const REPO = join(__dirname, '../..');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const MARKER = '<!-- test/e2e/readme-examples.e2e-spec.ts runs this block against real deliveries -->';

function receiverExample(): string {
  const at = README.indexOf(MARKER);
  if (at < 0) throw new Error('README lost the marked webhook receiver example');
  const block = /```js\n([\s\S]*?)```/.exec(README.slice(at));
  if (!block) throw new Error('no ```js block after the marker');
  return block[1];
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

describe('README examples (e2e)', () => {
  let t: TestApp;
  let owner: Actor & { teamId: string };
  let receiver: ChildProcess | undefined;
  let dir: string;
  let output = '';

  beforeAll(async () => {
    t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_SWEEP_INTERVAL_S: '0', TELEGRAM_POLL_SCAN_MS: '0' } });
    owner = await ownerWithTeam(t, 'Readers');
    // inside the repository, so the example's imports resolve from its node_modules
    mkdirSync(join(REPO, '.data'), { recursive: true });
    dir = mkdtempSync(join(REPO, '.data', 'readme-example-'));
  });
  afterAll(async () => {
    if (receiver?.pid && receiver.exitCode === null) receiver.kill('SIGTERM');
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the outbound-webhook receiver runs as printed: it verifies, handles each event once, and refuses a forgery', async () => {
    const port = await freePort();
    const hooks = `/v1/teams/${owner.teamId}/webhooks`;
    const endpoint = (await t.http().post(hooks).set(owner.auth).send({ url: `http://127.0.0.1:${port}/hooks/switchboard` }).expect(201)).body;
    writeFileSync(join(dir, 'receiver.mjs'), receiverExample());
    receiver = spawn(process.execPath, [join(dir, 'receiver.mjs')], {
      cwd: dir,
      env: { PATH: process.env.PATH, SWITCHBOARD_WEBHOOK_SECRET: endpoint.secret, PORT: String(port) },
    });
    receiver.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    receiver.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    await until(() => output.includes(`listening on ${port}`) || receiver?.exitCode !== null, 'the example to listen');
    expect(output).toContain(`listening on ${port}`);

    const sent = (await t.http().post(`${hooks}/${endpoint.id}/test`).set(owner.auth).expect(202)).body as { eventId: string; deliveryId: string };
    const delivery = `${hooks}/${endpoint.id}/deliveries/${sent.deliveryId}`;
    const delivered = async (attempts: number) => {
      const d = (await t.http().get(delivery).set(owner.auth)).body as { status: string; attemptCount: number };
      return d.status === 'delivered' && d.attemptCount >= attempts;
    };
    await until(() => delivered(1), 'the delivery to be accepted by the example');
    expect(output).toContain(`received webhook.test ${sent.eventId}`);

    // a replay carries the same webhook-id: accepted (200) but not handled twice
    await t.http().post(`${delivery}/retry`).set(owner.auth).expect(202);
    await until(() => delivered(2), 'the replay to be accepted');
    expect(output.split(`received webhook.test ${sent.eventId}`).length - 1).toBe(1);

    // a request not signed with the secret is refused
    const forged = await fetch(`http://127.0.0.1:${port}/hooks/switchboard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify({ id: 'evt_forged', type: 'webhook.test', data: {} }),
    });
    expect(forged.status).toBe(400);
    expect(output).not.toContain('evt_forged');
  }, 60_000);

  it('every connection body shown in the README names its platform', () => {
    const bodies = [...README.matchAll(/`(\{[^`]*"credentials"[^`]*\})`/g)].map((m) => m[1]);
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    expect(bodies.filter((b) => !b.includes('"platform"'))).toEqual([]);
  });

  it('the README points at nothing outside this repository', () => {
    expect(README).not.toMatch(/\.\.\/|shared\/DESIGN/);
    for (const [, link] of README.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)) expect(() => readFileSync(join(REPO, link))).not.toThrow();
  });
});
