import { PlatformDefinition } from '../platform-definition';
import { SlackModule } from './slack.module';

export const SLACK: PlatformDefinition = {
  name: 'slack',
  module: SlackModule,
  secretHeaders: ['x-slack-signature'],
  secretFields: ['botToken', 'signingSecret', 'appToken'],
  docs: { credentials: '{botToken, signingSecret, appToken?}' },
  apiTag: { name: 'slack', description: 'Slack app setup' },
};
