import { LogLevel, SocketModeClient } from '@slack/socket-mode';
import { request } from 'node:http';
import { Socket } from 'node:net';
import { until } from '../utils/wait';
import { FakeSlackApi } from './slack.fake';

/** The fake's Socket Mode side, driven by the official client (the one the app uses). */
describe('FakeSlackApi Socket Mode', () => {
  const slack = new FakeSlackApi();
  const appToken = 'xapp-1-A0APP-1-abcdef0123';
  let client: SocketModeClient;

  beforeAll(async () => {
    await slack.start();
    slack.addAppToken(appToken);
  });
  afterEach(async () => client?.disconnect());
  afterAll(() => slack.stop());

  const newClient = (token = appToken): SocketModeClient =>
    new SocketModeClient({ appToken: token, autoReconnectEnabled: false, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: `${slack.url}/api/`, retryConfig: { retries: 0 } } });

  it('hands out a one-time WebSocket URL, says hello, carries envelopes and records acks', async () => {
    client = newClient();
    const got: string[] = [];
    client.on('slack_event', async ({ ack, type }: { ack: (r?: Record<string, unknown>) => Promise<void>; type: string }) => {
      got.push(type);
      await ack(type === 'slash_commands' ? { text: 'ok' } : undefined);
    });
    await client.start();
    expect(slack.openSockets(appToken)).toHaveLength(1);
    const a = slack.sendEnvelope(appToken, { type: 'events_api', payload: { type: 'event_callback', event: { type: 'app_mention' } } });
    const b = slack.sendEnvelope(appToken, { type: 'slash_commands', payload: { command: '/agent' } });
    await until(() => Boolean(slack.ackOf(a) && slack.ackOf(b)), 'acks');
    expect(got).toEqual(['events_api', 'slash_commands']);
    expect(slack.ackOf(b)?.payload).toEqual({ text: 'ok' });
  });

  it('a dropped socket and a disconnect message close the client side', async () => {
    client = newClient();
    const closed: string[] = [];
    client.on('disconnected', () => closed.push('disconnected'));
    await client.start();
    slack.dropSockets(appToken);
    await until(() => closed.length === 1, 'disconnected after a drop');
    await client.start();
    slack.disconnectSockets(appToken);
    await until(() => closed.length === 2 && slack.openSockets(appToken).length === 0, 'disconnected after a disconnect message');
    expect(slack.maxOpenSockets.get(appToken)).toBe(1);
  });

  it('sees a client that goes away without a close frame (its process died) as closed', async () => {
    const open = await fetch(`${slack.url}/api/apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${appToken}` } });
    const { url } = (await open.json()) as { url: string };
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = request(url.replace(/^ws/, 'http'), { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } });
      req.on('upgrade', (_res, s: Socket) => resolve(s));
      req.on('error', reject);
      req.end();
    });
    await until(() => slack.openSockets(appToken).length === 1, 'the socket open');
    socket.end(); // FIN, no close frame
    await until(() => slack.openSockets(appToken).length === 0, 'the socket seen closed');
  });

  it('refuses unknown app tokens and bot tokens', async () => {
    client = newClient('xapp-1-unknown-0000000000');
    await expect(client.start()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });
});
