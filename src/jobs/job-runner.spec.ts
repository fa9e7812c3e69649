import { CORE_EVENT_CATALOG } from '../events/event-catalog';
import { AgentJobRun } from './entities/agent-job-run.entity';
import { jobEvent } from './job-runner';

const job = { id: 'j1', teamId: 't1', agentId: 'a1', name: 'Daily', deliverTo: { connectionId: 'c1', chatId: '42', threadId: null } };
const run = (over: Partial<AgentJobRun>): AgentJobRun =>
  Object.assign(new AgentJobRun(), {
    id: 'r1',
    jobId: 'j1',
    scheduledFor: new Date('2026-01-15T10:30:00Z'),
    trigger: 'schedule',
    attempts: 1,
    reply: 'All good',
    error: null,
    conversationId: 'cv1',
    messageId: 'm1',
    deliveredMessageId: 'm2',
    durationMs: 120,
    finishedAt: new Date('2026-01-15T10:30:01Z'),
    ...over,
  });

describe('job.completed / job.failed payloads', () => {
  const example = (type: string) => Object.keys(CORE_EVENT_CATALOG.find((e) => e.type === type)?.example ?? {}).sort();

  it('carry exactly the fields of the catalog example', () => {
    const done = jobEvent(job, run({ status: 'completed' }));
    expect(done.type).toBe('job.completed');
    expect(Object.keys(done.data).sort()).toEqual(example('job.completed'));
    expect(done.data).toMatchObject({ job_id: 'j1', agent_id: 'a1', kind: 'scheduled', duration_ms: 120, reply_preview: 'All good', delivered_message_id: 'm2' });

    const failed = jobEvent(job, run({ status: 'failed', trigger: 'manual', error: 'agent runtime failed: boom', attempts: 3 }));
    expect(failed.type).toBe('job.failed');
    expect(Object.keys(failed.data).sort()).toEqual(example('job.failed'));
    expect(failed.data).toMatchObject({ kind: 'manual', error: 'agent runtime failed: boom', attempts: 3 });
  });

  it('previews long replies in 200 characters', () => {
    const e = jobEvent(job, run({ status: 'completed', reply: 'x'.repeat(5000) }));
    expect(e.data.reply_preview).toHaveLength(200);
    expect(e.data.reply_length).toBe(5000);
  });
});
