import { PlatformDefinition } from '../platform-definition';
import { GITHUB_CONFIG } from './github.config';
import { GITHUB_EVENT_TYPES } from './github.events';
import { GitHubModule } from './github.module';

export const GITHUB: PlatformDefinition = {
  name: 'github',
  module: GitHubModule,
  config: GITHUB_CONFIG,
  secretHeaders: ['x-hub-signature-256', 'x-hub-signature'],
  secretFields: ['token', 'privateKey', 'webhookSecret'],
  docs: {
    credentials: '{token} or {appId, privateKey, installationId}, plus webhookSecret? (generated when absent)',
    settings: '{repositories?, events?}',
    setup: {
      fields: {
        contentType: { type: 'string', example: 'application/json', description: 'GitHub: the webhook content type to choose' },
        events: { description: 'GitHub: the webhook events to select', type: 'array', items: { type: 'string' } },
        webhookSecret: { type: 'string', description: 'GitHub: the webhook secret — only in the create response, and only once' },
      },
    },
  },
  eventTypes: GITHUB_EVENT_TYPES,
  maxBodyBytes: 25 * 1024 * 1024, // GitHub sends up to 25 MB
  apiTag: { name: 'github', description: 'Repositories, issues and pull requests through a GitHub connection' },
};
