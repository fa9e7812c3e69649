import { PlatformDefinition } from '../platform-definition';
import { SLACK_CONFIG } from './slack.config';
import { SlackModule, SlackWorkerModule } from './slack.module';

export const SLACK: PlatformDefinition = {
  name: 'slack',
  module: SlackModule,
  workerModule: SlackWorkerModule, // Socket Mode sockets for connections in socket mode
  workerFeatures: (config) => (config.platform(SLACK_CONFIG).socket.scanIntervalMs > 0 ? ['slack socket mode'] : []),
  config: SLACK_CONFIG,
  secretHeaders: ['x-slack-signature'],
  secretFields: ['botToken', 'signingSecret', 'appToken'],
  docs: {
    credentials: '{botToken, signingSecret, appToken?}',
    settings: '{mode?: "http"|"socket"}',
    setup: {
      modes: { values: ['http', 'socket'], description: 'Slack: `http` (Request URLs) or `socket` (Socket Mode)' },
      fields: {
        requestUrl: { type: 'string', description: 'Slack: the Events API Request URL' },
        slashCommandUrl: { type: 'string', description: 'Slack: the URL of the `/agent` slash command' },
        interactionsUrl: { type: 'string', description: 'Slack: the Interactivity Request URL (button clicks)' },
        botEvents: { description: 'Slack: bot events to subscribe to', type: 'array', items: { type: 'string' } },
        scopes: { description: 'Slack: bot token scopes', type: 'array', items: { type: 'string' } },
        manifest: { type: 'object', additionalProperties: true, description: 'Slack: an app manifest (JSON) to paste at api.slack.com/apps' },
      },
    },
  },
  apiTag: { name: 'slack', description: 'Slack app setup' },
};
