import { randomBytes } from 'node:crypto';
import { signSlackRequest } from '../../src/integrations/slack/slack-signature';
import { FakeSlackApi } from '../fakes';
import { TestApp } from '../utils/test-app';
import { Actor } from './users';

export interface SlackAppFixture {
  connectionId: string;
  agentId: string;
  botToken: string;
  signingSecret: string;
  botUserId: string;
  botId: string;
  /** Socket Mode connections only: the app-level token the fake accepts. */
  appToken?: string;
}

let seq = 0;

/** A Slack connection; `socket: true` makes it a Socket Mode one (an app-level token the fake knows, settings.mode "socket"). */
export async function connectSlackApp(
  t: TestApp,
  slack: FakeSlackApi,
  owner: Actor & { teamId: string },
  opts: { runtime?: Record<string, unknown>; socket?: boolean } = {},
): Promise<SlackAppFixture> {
  const n = ++seq;
  const botToken = `xoxb-${n}000-${randomBytes(8).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');
  const botUserId = `UBOT${n}`;
  const botId = `BBOT${n}`;
  slack.addWorkspace({ token: botToken, teamId: `T${n}`, team: 'Acme', botUserId, botId, userName: 'agent' });
  const appToken = opts.socket ? `xapp-1-A0APP-${n}000-${randomBytes(8).toString('hex')}` : undefined;
  if (appToken) slack.addAppToken(appToken);
  const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: `Slack agent ${n}`, ...(opts.runtime ? { runtime: opts.runtime } : {}) }).expect(201);
  const conn = await t
    .http()
    .post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`)
    .set(owner.auth)
    .send({ platform: 'slack', credentials: { botToken, signingSecret, ...(appToken ? { appToken } : {}) }, ...(appToken ? { settings: { mode: 'socket' } } : {}) })
    .expect(201);
  return { connectionId: conn.body.id, agentId: agent.body.id, botToken, signingSecret, botUserId, botId, ...(appToken ? { appToken } : {}) };
}

let eventSeq = 0;
export function eventEnvelope(event: Record<string, unknown>, eventId = `Ev${Date.now()}${++eventSeq}`): Record<string, unknown> {
  return { token: 'x', team_id: 'T1', api_app_id: 'A0APP', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event };
}

let tsSeq = 0;
export const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++tsSeq).padStart(6, '0')}`;

/** Posts a body exactly as Slack would: raw bytes signed with the signing secret and a timestamp (skew in seconds). */
export function postSigned(t: TestApp, app: SlackAppFixture, path: string, rawBody: string, opts: { skewS?: number; secret?: string; contentType?: string; retryNum?: number } = {}) {
  const ts = Math.floor(Date.now() / 1000) + (opts.skewS ?? 0);
  const req = t
    .http()
    .post(`/webhooks/slack/${app.connectionId}${path}`)
    .set('content-type', opts.contentType ?? 'application/json')
    .set('x-slack-request-timestamp', String(ts))
    .set('x-slack-signature', signSlackRequest(opts.secret ?? app.signingSecret, ts, rawBody));
  if (opts.retryNum) req.set('x-slack-retry-num', String(opts.retryNum)).set('x-slack-retry-reason', 'http_timeout');
  return req.send(rawBody);
}
