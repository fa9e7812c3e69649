export const SLACK_BOT_EVENTS = ['app_mention', 'message.im'];
export const SLACK_BOT_SCOPES = ['app_mentions:read', 'chat:write', 'im:history', 'im:read', 'reactions:write', 'commands', 'files:read'];
/** Slack refuses an app name longer than 35 characters. */
const MAX_APP_NAME = 35;

// a type alias (not an interface), so it fits SetupInstructions' index signature
export type SlackSetup = {
  webhookUrl: string;
  requestUrl: string;
  slashCommandUrl: string;
  /** Interactivity Request URL: button clicks (`block_actions`). */
  interactionsUrl: string;
  botEvents: string[];
  scopes: string[];
  manifest: Record<string, unknown>;
};

/**
 * What a Slack app needs to reach one connection: the Events API Request URL, the `/agent` slash command URL, the
 * Interactivity Request URL (buttons), the bot
 * events and scopes, and all of it as an app manifest to paste at api.slack.com/apps → Create New App → From a manifest.
 */
export function slackSetup(requestUrl: string, appName: string): SlackSetup {
  const slashCommandUrl = `${requestUrl}/commands`;
  const interactionsUrl = `${requestUrl}/interactions`;
  const name = appName.trim().slice(0, MAX_APP_NAME).trim() || 'Switchboard agent';
  return {
    webhookUrl: requestUrl,
    requestUrl,
    slashCommandUrl,
    interactionsUrl,
    botEvents: SLACK_BOT_EVENTS,
    scopes: SLACK_BOT_SCOPES,
    manifest: {
      display_information: { name },
      features: {
        bot_user: { display_name: 'agent', always_online: true },
        app_home: { messages_tab_enabled: true, messages_tab_read_only_enabled: false },
        slash_commands: [{ command: '/agent', url: slashCommandUrl, description: 'Ask the agent', usage_hint: '<question>' }],
      },
      oauth_config: { scopes: { bot: SLACK_BOT_SCOPES } },
      settings: {
        event_subscriptions: { request_url: requestUrl, bot_events: SLACK_BOT_EVENTS },
        interactivity: { is_enabled: true, request_url: interactionsUrl },
        org_deploy_enabled: false,
        socket_mode_enabled: false,
        token_rotation_enabled: false,
      },
    },
  };
}
