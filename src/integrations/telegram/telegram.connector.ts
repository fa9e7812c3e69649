import { Injectable, OnModuleInit } from '@nestjs/common';
import { TelegramError } from 'telegraf';
import { ConnectorRegistry } from '../../connections/connector-registry';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import {
  CredentialProblem,
  Credentials,
  InvalidCredentialsError,
  PlatformConnector,
  PlatformIdentity,
  PlatformRejectedError,
  PlatformUnavailableError,
  SetupInstructions,
} from '../../connections/platform-connector';
import { generateTelegramSecretToken } from '../../crypto/secrets';
import { FieldChecker } from '../common/check-fields';
import { TelegramApiFactory } from './telegram-api.factory';

export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;
export const TELEGRAM_COMMANDS = [
  { command: 'start', description: 'Start talking to the agent' },
  { command: 'help', description: 'What this bot can do' },
  { command: 'reset', description: 'Start a new conversation' },
  { command: 'status', description: "The agent's name and status" },
];
const TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{20,100}$/;

export interface TelegramSettings {
  mode: 'webhook' | 'polling';
  greeting?: string;
}

@Injectable()
export class TelegramConnector implements PlatformConnector, OnModuleInit {
  readonly platform = 'telegram' as const;
  readonly hintFields = ['botToken'] as const;

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly api: TelegramApiFactory,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  checkCredentials(input: Record<string, unknown>, previous?: Credentials): { credentials: Credentials } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('credentials', input, ['botToken']);
    const botToken = f.string('botToken', { required: true, pattern: TOKEN, hint: 'must look like 123456789:AA… (the token @BotFather gave you)' });
    if (f.problems.length || !botToken) return { problems: f.problems };
    // secret_token is ours: generated once and kept across credential changes and restarts.
    return { credentials: { botToken, secretToken: previous?.secretToken ?? generateTelegramSecretToken() } };
  }

  checkSettings(input: Record<string, unknown>): { settings: Record<string, unknown> } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('settings', input, ['mode', 'greeting']);
    const mode = f.oneOf('mode', ['webhook', 'polling'] as const) ?? 'webhook';
    const greeting = f.string('greeting', { pattern: /^[\s\S]{1,1000}$/, hint: 'must be at most 1000 characters' });
    if (f.problems.length) return { problems: f.problems };
    const settings: TelegramSettings = { mode, ...(greeting ? { greeting } : {}) };
    return { settings: { ...settings } };
  }

  async validateCredentials(credentials: Credentials): Promise<PlatformIdentity> {
    const me = await this.call(credentials, (tg) => tg.getMe());
    return {
      externalBotId: String(me.id),
      displayName: `@${me.username}`,
      info: {
        id: me.id,
        username: me.username,
        firstName: me.first_name,
        canJoinGroups: me.can_join_groups,
        canReadAllGroupMessages: me.can_read_all_group_messages,
        supportsInlineQueries: me.supports_inline_queries,
      },
    };
  }

  async connect(connection: PlatformConnection, credentials: Credentials): Promise<void> {
    const settings = connection.settings as Partial<TelegramSettings>;
    if (settings.mode === 'polling') {
      // getUpdates answers 409 while a webhook is set
      await this.call(credentials, (tg) => tg.deleteWebhook({ drop_pending_updates: false }));
    } else {
      await this.call(credentials, (tg) =>
        tg.setWebhook(connection.webhookUrl as string, {
          secret_token: credentials.secretToken,
          allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
        }),
      );
    }
    await this.call(credentials, (tg) => tg.setMyCommands(TELEGRAM_COMMANDS));
  }

  async disconnect(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    await this.call(credentials, (tg) => tg.deleteWebhook());
  }

  async healthCheck(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    await this.call(credentials, (tg) => tg.getMe());
  }

  setupInstructions(connection: PlatformConnection): SetupInstructions {
    return {
      webhookUrl: connection.webhookUrl as string,
      note: 'The webhook is registered with Telegram for you (setWebhook with a secret token); nothing to paste.',
    };
  }

  /** Calls the Bot API with a deadline and turns its failures into connector errors that never carry the token. */
  private async call<T>(credentials: Credentials, fn: (tg: ReturnType<TelegramApiFactory['client']>) => Promise<T>): Promise<T> {
    const tg = this.api.client(credentials.botToken);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(tg),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new PlatformUnavailableError(`no answer within ${this.api.timeoutMs} ms`)), this.api.timeoutMs);
        }),
      ]);
    } catch (e) {
      throw mapTelegramError(e);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function mapTelegramError(e: unknown): Error {
  if (e instanceof PlatformUnavailableError) return e;
  if (e instanceof TelegramError) {
    const code = e.code;
    const description = e.description ?? 'error';
    if (code === 401 || code === 404) return new InvalidCredentialsError(`${description} (the bot token is not valid)`);
    if (code >= 500 || code === 429) return new PlatformUnavailableError(`${code}: ${description}`);
    return new PlatformRejectedError(`${code}: ${description}`);
  }
  // Network errors from node-fetch quote the URL, which contains the token: keep only the error code.
  const err = e as { code?: string; errno?: string; type?: string };
  return new PlatformUnavailableError(`network error (${err.code ?? err.errno ?? err.type ?? 'unknown'})`);
}
