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
  docs: { credentials: '{botToken, signingSecret, appToken?}', settings: '{mode?: "http"|"socket"}' },
  apiTag: { name: 'slack', description: 'Slack app setup' },
};
