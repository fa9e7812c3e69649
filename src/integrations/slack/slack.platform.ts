import { PlatformDefinition } from '../platform-definition';
import { SlackModule, SlackWorkerModule } from './slack.module';

export const SLACK: PlatformDefinition = {
  name: 'slack',
  module: SlackModule,
  workerModule: SlackWorkerModule, // Socket Mode sockets for connections in socket mode
  secretHeaders: ['x-slack-signature'],
  secretFields: ['botToken', 'signingSecret', 'appToken'],
  docs: { credentials: '{botToken, signingSecret, appToken?}', settings: '{mode?: "http"|"socket"}' },
  apiTag: { name: 'slack', description: 'Slack app setup' },
};
