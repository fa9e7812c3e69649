import { EventTypeInfo, EXAMPLE_IDS } from './event-type';

/**
 * The core event types Switchboard can send to a team's webhook endpoints — those no platform owns — with a
 * description and an example `data`. A platform's own types are declared in its folder (`<name>.events.ts`, listed by
 * its `<name>.platform.ts`); `src/integrations/event-catalog.ts` assembles the one catalog with `assembleEventCatalog`,
 * which `GET /v1/webhook-event-types` serves and `EventPublisher` checks every type against (the `KnownEventTypes` port).
 */
const AGENT_ID = EXAMPLE_IDS.agent;
const CONVERSATION_ID = EXAMPLE_IDS.conversation;
const CONNECTION_ID = EXAMPLE_IDS.connection;
const AT = EXAMPLE_IDS.at;
const JOB_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const RUN_ID = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';

const conversation = {
  conversation_id: CONVERSATION_ID,
  agent_id: AGENT_ID,
  connection_id: CONNECTION_ID,
  platform: 'telegram',
  external_chat_id: '123456789',
  external_thread_id: null,
  status: 'open',
  started_at: AT,
  last_message_at: AT,
};

/** Core types listed before the platforms' own (which follow the connection events). */
const BEFORE_PLATFORMS: readonly EventTypeInfo[] = [
  {
    type: 'conversation.created',
    description: 'A new conversation started between a user and an agent (first message in a chat or thread).',
    example: conversation,
    emitted: true,
  },
  {
    type: 'conversation.completed',
    description: 'A conversation ended: idle for CONVERSATION_IDLE_MINUTES (`reason: "idle"`) or reset by the user (`"reset"`).',
    example: { ...conversation, status: 'completed', reason: 'idle' },
    emitted: true,
  },
  {
    type: 'message.created',
    description: 'A message was stored in a conversation: a user message (`role: "user"`) or the agent\'s reply (`"assistant"`). The text is previewed (200 characters).',
    example: {
      message_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      conversation_id: CONVERSATION_ID,
      agent_id: AGENT_ID,
      platform: 'telegram',
      role: 'user',
      content_preview: 'Hi, where is my order #1042?',
      content_length: 28,
      sender: { id: '123456789', name: 'Ada' },
      external_message_id: '42',
      created_at: AT,
    },
    emitted: true,
  },
  {
    type: 'memory.created',
    description: 'An agent runtime asked to remember something from a conversation.',
    example: {
      memory_id: '3f2e1d0c-9b8a-4765-8432-10fedcba9876',
      agent_id: AGENT_ID,
      conversation_id: CONVERSATION_ID,
      type: 'fact',
      content: 'Ada prefers email over phone.',
      importance: 0.7,
      created_at: AT,
    },
    emitted: true,
  },
  {
    type: 'message.action',
    description:
      'A user clicked a button the agent offered with a reply (a runtime reply\'s `actions`). Each set of buttons is decided once; `approval_id` is set when the buttons were an approval (then `approval.decided` follows).',
    example: {
      message_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      conversation_id: CONVERSATION_ID,
      agent_id: AGENT_ID,
      connection_id: CONNECTION_ID,
      platform: 'telegram',
      action_id: 'approve',
      label: 'Approve',
      value: 'deploy-1042',
      user: { id: '123456789', name: 'Ada', username: 'ada' },
      approval_id: null,
      clicked_at: AT,
    },
    emitted: true,
  },
  {
    type: 'approval.decided',
    description:
      'An approval (a reply\'s `actions` with `approval`) was decided by an allowed user (`status: "decided"`, `decision` = the chosen action id) or ran out of time (`status: "expired"`, `decision: "expired"`).',
    example: {
      approval_id: '2c4e6a8b-0d1f-4a3b-9c5d-7e9f1a3b5c7d',
      message_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      conversation_id: CONVERSATION_ID,
      agent_id: AGENT_ID,
      connection_id: CONNECTION_ID,
      platform: 'slack',
      status: 'decided',
      decision: 'approve',
      action_id: 'approve',
      label: 'Approve',
      value: 'deploy-1042',
      decided_by: { id: 'U024BE7LH', name: 'ada' },
      approvers: ['U024BE7LH'],
      expires_at: '2026-01-15T11:30:00.000Z',
      decided_at: AT,
    },
    emitted: true,
  },
  {
    type: 'agent.status_changed',
    description: "An agent's status changed (`active`, `paused`, `archived`), e.g. through PATCH /v1/teams/:teamId/agents/:agentId.",
    example: { agent_id: AGENT_ID, name: 'Support', slug: 'support', from: 'active', to: 'paused', changed_at: AT },
    emitted: true,
  },
  {
    type: 'platform_connection.status_changed',
    description:
      'A platform connection changed status (`active`, `paused`, `error`, `disconnected`): paused/resumed by an admin, or failing health checks. Never carries credentials.',
    example: {
      connection_id: CONNECTION_ID,
      agent_id: AGENT_ID,
      platform: 'telegram',
      from: 'active',
      to: 'error',
      reason: '5 health checks in a row failed: Unauthorized',
      changed_at: AT,
    },
    emitted: true,
  },
];

/** Core types listed after the platforms' own. */
const AFTER_PLATFORMS: readonly EventTypeInfo[] = [
  {
    type: 'job.completed',
    description:
      'A run of a scheduled agent job finished: the agent answered the prompt and the reply went to the job\'s `deliverTo` (if any). `kind` is `scheduled` or `manual` (POST …/jobs/:jobId/run).',
    example: {
      job_id: JOB_ID,
      agent_id: AGENT_ID,
      kind: 'scheduled',
      duration_ms: 5120,
      completed_at: AT,
      run_id: RUN_ID,
      job_name: 'Morning summary',
      scheduled_for: AT,
      conversation_id: CONVERSATION_ID,
      message_id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      reply_preview: 'Yesterday: 14 tickets opened, 12 closed…',
      reply_length: 640,
      delivered_to: { connectionId: CONNECTION_ID, chatId: '123456789', threadId: null },
      delivered_message_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    },
    emitted: true,
  },
  {
    type: 'job.failed',
    description:
      'A run of a scheduled agent job failed: the agent was paused or deleted, its runtime failed after its retries (`attempts`), the reply could not be delivered, or the worker running it stopped.',
    example: {
      job_id: JOB_ID,
      agent_id: AGENT_ID,
      kind: 'scheduled',
      error: 'agent runtime failed: the agent URL did not answer within 30000 ms (TIMEOUT)',
      attempts: 3,
      failed_at: AT,
      run_id: RUN_ID,
      job_name: 'Morning summary',
      scheduled_for: AT,
      conversation_id: CONVERSATION_ID,
      duration_ms: 61250,
    },
    emitted: true,
  },
  {
    type: 'webhook.test',
    description: 'Sent by POST /v1/teams/:teamId/webhooks/:endpointId/test to that endpoint only, whatever it subscribes to.',
    example: { endpoint_id: 'f0e1d2c3-b4a5-4968-8776-655443322110', message: 'This is a test event from Switchboard.' },
    emitted: true,
  },
];

/** Every core type, in catalog order. */
export const CORE_EVENT_CATALOG: readonly EventTypeInfo[] = [...BEFORE_PLATFORMS, ...AFTER_PLATFORMS];

/**
 * The one catalog: the core types with the platforms' own (in the order of PLATFORMS) after the connection events —
 * the order of `GET /v1/webhook-event-types`, the `WebhookEventType` enum and the `eventTypes` validation message.
 * Throws on a type listed twice.
 */
export function assembleEventCatalog(platformTypes: readonly EventTypeInfo[]): readonly EventTypeInfo[] {
  const catalog = [...BEFORE_PLATFORMS, ...platformTypes, ...AFTER_PLATFORMS];
  const seen = new Set<string>();
  for (const { type } of catalog) {
    if (seen.has(type)) throw new Error(`event type "${type}" is listed twice`);
    seen.add(type);
  }
  return catalog;
}
