import {
  asJson,
  asRecord,
  asString,
  FakeHttpServer,
  FakeHttpServerOptions,
  FakeResponse,
  RecordedCall,
} from './fake-http-server';

export interface SlackWorkspace {
  token: string;
  teamId: string;
  team: string;
  botUserId: string;
  botId: string;
  userName: string;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  is_bot?: boolean;
  team_id?: string;
}

type Params = Record<string, unknown>;

const API_RE = /^\/api\/([A-Za-z0-9_.]+)\/?$/;
const RESPONSE_URL_RE = /^\/response-url\/[^/]+\/?$/;
const FILE_RE = /^\/files-pri\/([^/]+)\/([^/]+)$/;

export interface SlackFileFixture {
  data: Buffer;
  mimetype: string;
  name: string;
  /** Workspace tokens allowed to download it (default: every workspace of the fake). */
  token?: string;
}
const MAX_BLOCKS = 50;

const ok = (extra: Record<string, unknown> = {}): FakeResponse => ({ status: 200, body: { ok: true, ...extra } });
const err = (error: string): FakeResponse => ({ status: 200, body: { ok: false, error } });

/**
 * Fake slack.com Web API: `POST /api/<method>` (set `slackApiUrl` to `${fake.url}/api/`), plus
 * `POST /response-url/<id>` for slash-command response URLs.
 */
export class FakeSlackApi extends FakeHttpServer {
  private readonly workspaces = new Map<string, SlackWorkspace>();
  private readonly users = new Map<string, SlackUser>();
  /** `${channel}:${ts}` → reaction names by this bot. */
  private readonly reactions = new Map<string, Set<string>>();
  private tsCounter = 0;
  private readonly files = new Map<string, SlackFileFixture>();

  constructor(options?: FakeHttpServerOptions) {
    super(options);
  }

  addWorkspace(workspace: SlackWorkspace): this {
    this.workspaces.set(workspace.token, workspace);
    return this;
  }

  /** Users returned by users.info; unknown ids get a synthesized human user. */
  addUser(user: SlackUser): this {
    this.users.set(user.id, user);
    return this;
  }

  /**
   * A file shared in a message: served at `url_private` (`<fake>/files-pri/<team>-<id>/<name>`, set SLACK_FILES_URL to
   * the fake's URL) only with `Authorization: Bearer <bot token>`; otherwise, like Slack, 200 with an HTML sign-in page.
   * Returns the `files[]` entry of the event.
   */
  addFile(id: string, file: SlackFileFixture, extra: Record<string, unknown> = {}): Record<string, unknown> {
    this.files.set(id, file);
    const url = `${this.url}/files-pri/T0-${id}/${encodeURIComponent(file.name)}`;
    return { id, name: file.name, mimetype: file.mimetype, size: file.data.length, url_private: url, url_private_download: `${url}?download=1`, ...extra };
  }

  responseUrl(id: string): string {
    return `${this.url}/response-url/${encodeURIComponent(id)}`;
  }

  /** Reactions the bot currently has on a message. */
  reactionsOn(channel: string, ts: string): string[] {
    return [...(this.reactions.get(`${channel}:${ts}`) ?? [])];
  }

  protected nameOf(call: RecordedCall): string {
    if (RESPONSE_URL_RE.test(call.path)) return 'response_url';
    if (FILE_RE.test(call.path)) return 'files.download';
    return API_RE.exec(call.path)?.[1] ?? call.path;
  }

  protected handle(call: RecordedCall): FakeResponse {
    const file = FILE_RE.exec(call.path);
    if (file) return this.serveFile(file[1].replace(/^[^-]+-/, ''), call);
    if (RESPONSE_URL_RE.test(call.path)) {
      return call.method === 'POST' ? ok() : { status: 405, body: 'method not allowed' };
    }
    const method = API_RE.exec(call.path)?.[1];
    if (!method) return { status: 404, body: '<html><body>Not Found</body></html>', headers: htmlType };
    const params: Params = { ...call.query, ...asRecord(call.body) };
    const token = bearer(call) ?? asString(params.token);
    if (!token) return err('not_authed');
    const ws = this.workspaces.get(token);
    if (!ws) return err('invalid_auth');

    switch (method) {
      case 'auth.test':
        return ok({
          url: `https://${ws.team.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.slack.com/`,
          team: ws.team,
          user: ws.userName,
          team_id: ws.teamId,
          user_id: ws.botUserId,
          bot_id: ws.botId,
          is_enterprise_install: false,
        });
      case 'chat.postMessage':
        return this.postMessage(ws, params);
      case 'chat.postEphemeral': {
        const problem = this.checkMessage(params) ?? (asString(params.user) ? undefined : 'user_not_in_channel');
        return problem ? err(problem) : ok({ message_ts: this.nextTs() });
      }
      case 'chat.update': {
        const channel = asString(params.channel);
        const ts = asString(params.ts);
        if (!channel) return err('channel_not_found');
        if (!ts) return err('message_not_found');
        const problem = this.checkMessage(params);
        if (problem) return err(problem);
        const text = asString(params.text) ?? '';
        return ok({ channel, ts, text, message: this.messageOf(ws, params, ts) });
      }
      case 'chat.delete':
        if (!asString(params.channel)) return err('channel_not_found');
        if (!asString(params.ts)) return err('message_not_found');
        return ok({ channel: asString(params.channel), ts: asString(params.ts) });
      case 'reactions.add':
      case 'reactions.remove':
        return this.reaction(method === 'reactions.add', params);
      case 'assistant.threads.setStatus':
        if (!asString(params.channel_id) || !asString(params.thread_ts)) return err('invalid_arguments');
        if (asString(params.status) === undefined) return err('invalid_arguments');
        return ok();
      case 'conversations.replies':
        if (!asString(params.channel)) return err('channel_not_found');
        if (!asString(params.ts)) return err('thread_not_found');
        return ok({ messages: [], has_more: false, response_metadata: { next_cursor: '' } });
      case 'users.info': {
        const id = asString(params.user);
        if (!id) return err('user_not_found');
        const user = this.users.get(id) ?? { id, name: `user-${id.toLowerCase()}` };
        const realName = user.real_name ?? user.name;
        return ok({
          user: {
            id: user.id,
            team_id: user.team_id ?? ws.teamId,
            name: user.name,
            real_name: realName,
            deleted: false,
            is_bot: user.is_bot ?? false,
            profile: { real_name: realName, display_name: user.name },
          },
        });
      }
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method', req_method: method } };
    }
  }

  private serveFile(id: string, call: RecordedCall): FakeResponse {
    const f = this.files.get(id);
    const token = bearer(call);
    const allowed = token !== undefined && (f?.token ? f.token === token : this.workspaces.has(token));
    if (!allowed) return { status: 200, body: '<!DOCTYPE html><html><body>Sign in to Slack</body></html>', headers: htmlType };
    if (!f || call.method !== 'GET') return { status: 404, body: 'file_not_found' };
    return { status: 200, body: f.data, headers: { 'content-type': f.mimetype } };
  }

  private postMessage(ws: SlackWorkspace, params: Params): FakeResponse {
    const channel = asString(params.channel);
    if (!channel) return err('channel_not_found');
    const problem = this.checkMessage(params);
    if (problem) return err(problem);
    const ts = this.nextTs();
    return ok({ channel, ts, message: this.messageOf(ws, params, ts) });
  }

  /** Returns a Slack error code if the message has no content or malformed blocks. */
  private checkMessage(params: Params): string | undefined {
    const text = asString(params.text) ?? '';
    const blocks = params.blocks === undefined ? undefined : asJson(params.blocks);
    const attachments = params.attachments === undefined ? undefined : asJson(params.attachments);
    if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS)) return 'invalid_blocks';
    if (attachments !== undefined && !Array.isArray(attachments)) return 'invalid_attachments';
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
    if (text.trim() === '' && !hasBlocks && !hasAttachments) return 'no_text';
    if (text.length > 40_000) return 'msg_too_long';
    return undefined;
  }

  private messageOf(ws: SlackWorkspace, params: Params, ts: string): Record<string, unknown> {
    const blocks = params.blocks === undefined ? undefined : asJson(params.blocks);
    const threadTs = asString(params.thread_ts);
    return {
      type: 'message',
      text: asString(params.text) ?? '',
      user: ws.botUserId,
      bot_id: ws.botId,
      team: ws.teamId,
      ts,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(blocks !== undefined ? { blocks } : {}),
    };
  }

  private reaction(add: boolean, params: Params): FakeResponse {
    const channel = asString(params.channel);
    const ts = asString(params.timestamp);
    const name = asString(params.name);
    if (!channel) return err('channel_not_found');
    if (!ts) return err('message_not_found');
    if (!name) return err('invalid_name');
    const key = `${channel}:${ts}`;
    const set = this.reactions.get(key) ?? new Set<string>();
    this.reactions.set(key, set);
    if (add) {
      if (set.has(name)) return err('already_reacted');
      set.add(name);
    } else {
      if (!set.has(name)) return err('no_reaction');
      set.delete(name);
    }
    return ok();
  }

  private nextTs(): string {
    this.tsCounter = (this.tsCounter + 1) % 1_000_000;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }
}

const htmlType = { 'content-type': 'text/html; charset=utf-8' };

function bearer(call: RecordedCall): string | undefined {
  const header = call.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}
