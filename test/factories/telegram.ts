import { AgentsService } from '../../src/agents/agents.service';
import { CreateAgentDto } from '../../src/agents/dto/agent.dto';
import { ConnectionsService } from '../../src/connections/connections.service';
import { CreateConnectionDto } from '../../src/connections/dto/connection.dto';
import { TeamsService } from '../../src/teams/teams.service';
import { UsersService } from '../../src/users/users.service';
import { FakeTelegramApi } from '../fakes';
import { ServiceModule } from '../utils/service-module';
import { TestApp } from '../utils/test-app';
import { Actor } from './users';

let nextUpdateId = 1000;
let nextMessageId = 1;

export interface TelegramBotFixture {
  token: string;
  botId: number;
  username: string;
  connectionId: string;
  agentId: string;
  secret: string;
}

/** Creates an agent and connects it to a bot registered in the fake Bot API; returns what tests need to post updates. */
export async function connectTelegramBot(
  t: TestApp,
  tg: FakeTelegramApi,
  owner: Actor & { teamId: string },
  opts: { agentName?: string; runtime?: Record<string, unknown>; settings?: Record<string, unknown>; botId?: number } = {},
): Promise<TelegramBotFixture> {
  const botId = opts.botId ?? 800000 + Math.floor(Math.random() * 100000);
  const token = `${botId}:AAH${Math.random().toString(36).slice(2).padEnd(32, 'x')}`;
  const username = `agent${botId}_bot`;
  tg.addBot(token, { id: botId, username, first_name: 'Agent' });
  const agent = await t.http().post(`/v1/teams/${owner.teamId}/agents`).set(owner.auth).send({ name: opts.agentName ?? `Agent ${botId}`, ...(opts.runtime ? { runtime: opts.runtime } : {}) }).expect(201);
  const conn = await t
    .http()
    .post(`/v1/teams/${owner.teamId}/agents/${agent.body.id}/connections`)
    .set(owner.auth)
    .send({ platform: 'telegram', credentials: { botToken: token }, ...(opts.settings ? { settings: opts.settings } : {}) })
    .expect(201);
  const secret = tg.webhookOf(token)?.secret_token as string;
  return { token, botId, username, connectionId: conn.body.id, agentId: agent.body.id, secret };
}

/**
 * Service level (no HTTP): a user, their team, an agent, and a Telegram connection to a bot registered in the fake Bot
 * API, made through the services. `name` keeps the names and the bot apart from other suites'.
 */
export async function serviceTelegramConnection(m: ServiceModule, tg: FakeTelegramApi, name: string, botId: number): Promise<{ connectionId: string; agentId: string; teamId: string }> {
  const user = await m.moduleRef.get(UsersService).create({ email: `${name.toLowerCase()}@example.com`, password: 'long-enough-1' });
  const team = await m.moduleRef.get(TeamsService).create(name, user.id);
  const agent = await m.moduleRef.get(AgentsService).create(team.id, { name } as CreateAgentDto);
  const token = `${botId}:AAH${name.toLowerCase().padEnd(32, 'x')}`;
  tg.addBot(token, { id: botId, username: `${name.toLowerCase()}_bot`, first_name: name });
  const conn = await m.moduleRef.get(ConnectionsService).create(team.id, agent.id, { platform: 'telegram', credentials: { botToken: token } } as CreateConnectionDto);
  return { connectionId: conn.id, agentId: agent.id, teamId: team.id };
}

export function textUpdate(
  chatId: number,
  text: string,
  opts: { chatType?: 'private' | 'group' | 'supergroup'; fromId?: number; updateId?: number; entities?: unknown[]; replyTo?: unknown } = {},
): Record<string, unknown> {
  const fromId = opts.fromId ?? chatId;
  return {
    update_id: opts.updateId ?? nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      from: { id: fromId, is_bot: false, first_name: 'Ada', username: `user${fromId}` },
      chat: { id: chatId, type: opts.chatType ?? 'private', ...(opts.chatType && opts.chatType !== 'private' ? { title: 'Team chat' } : { first_name: 'Ada' }) },
      text,
      ...(opts.entities ? { entities: opts.entities } : {}),
      ...(opts.replyTo ? { reply_to_message: opts.replyTo } : {}),
    },
  };
}

export function commandUpdate(chatId: number, command: string): Record<string, unknown> {
  const u = textUpdate(chatId, command);
  (u.message as { entities: unknown[] }).entities = [{ type: 'bot_command', offset: 0, length: command.split(' ')[0].length }];
  return u;
}

export function postUpdate(t: TestApp, bot: TelegramBotFixture, update: Record<string, unknown>, secret: string | null = bot.secret) {
  const req = t.http().post(`/webhooks/telegram/${bot.connectionId}`);
  return (secret === null ? req : req.set('X-Telegram-Bot-Api-Secret-Token', secret)).send(update);
}

/** The texts the bot sent to one chat, in order (from the fake Bot API's record). */
export function sentTexts(tg: FakeTelegramApi, chatId: number): string[] {
  return tg
    .callsTo('sendMessage')
    .filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId))
    .map((c) => String((c.body as { text: unknown }).text));
}
