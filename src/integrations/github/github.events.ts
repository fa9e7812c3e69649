import type { EventTypeInfo } from '../../events/event-type';
import { EXAMPLE_IDS } from '../../events/event-type';

/**
 * GitHub's outbound event types: what GitHubConnector.parse asks to publish (`github-event.ts`) for a push to the
 * default branch or a published release. Listed by `github.platform.ts`; a leaf (imports only events/' event-type.ts).
 */
export const GITHUB_EVENT_TYPES: readonly EventTypeInfo[] = [
  {
    type: 'github.push',
    description: "A push to the default branch of a repository the agent's GitHub connection watches.",
    example: {
      connection_id: EXAMPLE_IDS.connection,
      agent_id: EXAMPLE_IDS.agent,
      repository: 'acme/shop',
      ref: 'refs/heads/main',
      before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      compare: 'https://github.com/acme/shop/compare/6113728f27ae...0d1a26e67d8f',
      pusher: 'ada',
      commits: [{ id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', message: 'Fix checkout rounding', author: 'Ada' }],
      commit_count: 1,
    },
    emitted: true,
  },
  {
    type: 'github.release',
    description: "A release was published in a repository the agent's GitHub connection watches.",
    example: {
      connection_id: EXAMPLE_IDS.connection,
      agent_id: EXAMPLE_IDS.agent,
      repository: 'acme/shop',
      tag: 'v1.4.0',
      name: 'v1.4.0',
      url: 'https://github.com/acme/shop/releases/tag/v1.4.0',
      prerelease: false,
      author: 'ada',
    },
    emitted: true,
  },
];
