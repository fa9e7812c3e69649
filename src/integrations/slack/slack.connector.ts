import { Injectable, OnModuleInit } from '@nestjs/common';
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
import { FieldChecker } from '../common/check-fields';
import { SlackApiFactory } from './slack-api.factory';

export const SLACK_BOT_EVENTS = ['app_mention', 'message.im'];
export const SLACK_BOT_SCOPES = ['app_mentions:read', 'chat:write', 'im:history', 'im:read', 'reactions:write', 'commands'];
const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope']);

@Injectable()
export class SlackConnector implements PlatformConnector, OnModuleInit {
  readonly platform = 'slack' as const;
  readonly hintFields = ['botToken', 'signingSecret', 'appToken'] as const;

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly api: SlackApiFactory,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  checkCredentials(input: Record<string, unknown>): { credentials: Credentials } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('credentials', input, ['botToken', 'signingSecret', 'appToken']);
    const botToken = f.string('botToken', { required: true, pattern: /^xoxb-[A-Za-z0-9-]{10,}$/, hint: 'must be a bot token (xoxb-…)' });
    const signingSecret = f.string('signingSecret', { required: true, pattern: /^[A-Za-z0-9]{16,128}$/, hint: 'must be the app\'s Signing Secret (Basic Information page)' });
    const appToken = f.string('appToken', { pattern: /^xapp-[A-Za-z0-9-]{10,}$/, hint: 'must be an app-level token (xapp-…)' });
    if (f.problems.length || !botToken || !signingSecret) return { problems: f.problems };
    return { credentials: { botToken, signingSecret, ...(appToken ? { appToken } : {}) } };
  }

  checkSettings(input: Record<string, unknown>): { settings: Record<string, unknown> } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('settings', input, []);
    return f.problems.length ? { problems: f.problems } : { settings: {} };
  }

  async validateCredentials(credentials: Credentials): Promise<PlatformIdentity> {
    const r = await this.call(() => this.api.client(credentials.botToken).auth.test());
    if (!r.bot_id || !r.user_id) throw new InvalidCredentialsError('the token is not a bot token (auth.test returned no bot_id)');
    return {
      externalBotId: r.bot_id,
      displayName: `@${r.user ?? 'bot'} in ${r.team ?? r.team_id}`,
      info: { botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id, team: r.team, url: r.url, enterpriseId: r.enterprise_id ?? null },
    };
  }

  /** Slack has no API to set the Events Request URL: the admin pastes it (see setupInstructions). */
  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  async healthCheck(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    await this.call(() => this.api.client(credentials.botToken).auth.test());
  }

  setupInstructions(connection: PlatformConnection): SetupInstructions {
    const url = connection.webhookUrl as string;
    return {
      webhookUrl: url,
      requestUrl: url,
      slashCommandUrl: `${url}/commands`,
      botEvents: SLACK_BOT_EVENTS,
      scopes: SLACK_BOT_SCOPES,
      manifest: {
        display_information: { name: connection.displayName?.replace(/^@/, '').split(' in ')[0] ?? 'Switchboard agent' },
        features: {
          bot_user: { display_name: 'agent', always_online: true },
          app_home: { messages_tab_enabled: true, messages_tab_read_only_enabled: false },
          slash_commands: [{ command: '/agent', url: `${url}/commands`, description: 'Ask the agent', usage_hint: '<question>' }],
        },
        oauth_config: { scopes: { bot: SLACK_BOT_SCOPES } },
        settings: {
          event_subscriptions: { request_url: url, bot_events: SLACK_BOT_EVENTS },
          org_deploy_enabled: false,
          socket_mode_enabled: false,
          token_rotation_enabled: false,
        },
      },
    };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapSlackError(e);
    }
  }
}

export function mapSlackError(e: unknown): Error {
  const err = e as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number; original?: { code?: string } };
  switch (err.code) {
    case 'slack_webapi_platform_error': {
      const reason = err.data?.error ?? 'unknown_error';
      return AUTH_ERRORS.has(reason) ? new InvalidCredentialsError(reason) : new PlatformRejectedError(reason);
    }
    case 'slack_webapi_rate_limited_error':
      return new PlatformUnavailableError(`rate limited (retry after ${err.retryAfter ?? '?'} s)`);
    case 'slack_webapi_http_error':
      return new PlatformUnavailableError(`HTTP ${err.statusCode ?? '?'}`);
    case 'slack_webapi_request_error':
      return new PlatformUnavailableError(`network error (${err.original?.code ?? 'unknown'})`);
    default:
      return new PlatformUnavailableError('unexpected error talking to Slack');
  }
}
