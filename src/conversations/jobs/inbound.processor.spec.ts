import { Job, UnrecoverableError } from 'bullmq';
import { QueryFailedError } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { InboundJob, InboundService } from '../inbound.service';
import { LocalInboundRuns } from '../local-inbound-runs';
import { InboundWakeups } from '../inbound-wakeups';
import { SystemClock } from '../../common/clock';
import { InboundPipeline } from '../inbound.pipeline';
import { InboundProcessor } from './inbound.processor';

function processor(handleJob: (job: InboundJob) => Promise<void>): InboundProcessor {
  return new InboundProcessor({ handleJob } as unknown as InboundPipeline, {} as AppConfig, new LocalInboundRuns(), {} as InboundService, new SystemClock(), {} as InboundWakeups);
}
const job = (data: unknown): Job<InboundJob> => ({ id: 'j1', data }) as unknown as Job<InboundJob>;
const pgError = (code: string): QueryFailedError => new QueryFailedError('SELECT 1', [], Object.assign(new Error('bad value'), { code }));

describe('InboundProcessor', () => {
  it('a job without an event id fails for good (UnrecoverableError), without reaching the pipeline', async () => {
    const handle = jest.fn(async () => undefined);
    await expect(processor(handle).process(job({}))).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(processor(handle).process(job(null))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(handle).not.toHaveBeenCalled();
  });

  it('a value PostgreSQL refuses (SQLSTATE class 22) fails for good; other errors are retried as they are', async () => {
    await expect(processor(() => Promise.reject(pgError('22P02'))).process(job({ eventId: 'x' }))).rejects.toBeInstanceOf(UnrecoverableError);
    const down = pgError('57P01');
    await expect(processor(() => Promise.reject(down)).process(job({ eventId: 'x' }))).rejects.toBe(down);
  });

  it('hands a valid job to the pipeline', async () => {
    const handle = jest.fn(async () => undefined);
    await processor(handle).process(job({ eventId: 'e1', connectionId: 'c1', orderingKey: 'k' }));
    expect(handle).toHaveBeenCalledWith({ eventId: 'e1', connectionId: 'c1', orderingKey: 'k' });
  });
});
