import { CORE_EVENT_CATALOG } from '../events/event-catalog';
import { knownEventTypes } from '../events/known-event-types';
import { EVENT_CATALOG, EVENT_TYPES, platformEventTypes } from './event-catalog';
import { GITHUB } from './github/github.platform';
import { PLATFORMS } from './index';
import type { PlatformDefinition } from './platform-definition';

describe('the event catalog (core types + each platform’s <name>.events.ts)', () => {
  it('has unique types, each with a description and an example, every one emitted', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_CATALOG.length);
    for (const e of EVENT_CATALOG) {
      expect(e.type).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(e.description.length).toBeGreaterThan(20);
      expect(Object.keys(e.example).length).toBeGreaterThan(0);
      expect(e.emitted).toBe(true);
    }
  });

  it('is the core types plus every listed platform’s own, in the order the API has always listed them', () => {
    expect(EVENT_CATALOG.length).toBe(CORE_EVENT_CATALOG.length + PLATFORMS.reduce((n, p) => n + (p.eventTypes?.length ?? 0), 0));
    expect(GITHUB.eventTypes?.map((e) => e.type)).toEqual(['github.push', 'github.release']);
    expect(EVENT_TYPES).toEqual([
      'conversation.created',
      'conversation.completed',
      'message.created',
      'memory.created',
      'message.action',
      'approval.decided',
      'agent.status_changed',
      'platform_connection.status_changed',
      'github.push',
      'github.release',
      'job.completed',
      'job.failed',
      'webhook.test',
    ]);
  });

  it('a platform’s types carry its name, and the publisher’s port knows exactly the catalog', () => {
    const stray: PlatformDefinition = { ...GITHUB, eventTypes: [{ ...GITHUB.eventTypes![0], type: 'gitlab.push' }] };
    expect(() => platformEventTypes([stray])).toThrow('platform github declares event type "gitlab.push"');
    const known = knownEventTypes(EVENT_TYPES);
    expect(known.has('github.push')).toBe(true);
    expect(known.has('github.pull_request')).toBe(false);
  });
});
