import { SchedulerRegistry } from '@nestjs/schedule';
import { ScheduledJobs } from './scheduled-jobs';
import type { SchedulerLock } from './scheduler-lock';

describe('ScheduledJobs', () => {
  let registry: SchedulerRegistry;
  let locked: string[];
  let jobs: ScheduledJobs;
  beforeEach(() => {
    jest.useFakeTimers();
    registry = new SchedulerRegistry();
    locked = [];
    const lock = { runExclusive: async (name: string, fn: () => Promise<void>) => (locked.push(name), await fn(), true) } as unknown as SchedulerLock;
    jobs = new ScheduledJobs(registry, lock);
  });
  afterEach(() => jest.useRealTimers());

  it('exclusive jobs are registry intervals that take the lock named like the job; local ones take none', async () => {
    const runs: string[] = [];
    jobs.exclusive('prune', 1000, async () => void runs.push('prune'));
    jobs.local('renew', 1000, () => void runs.push('renew'));
    expect(registry.getIntervals().sort()).toEqual(['prune', 'renew']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs.sort()).toEqual(['prune', 'renew']);
    expect(locked).toEqual(['prune']);
  });

  it('a period of 0 schedules nothing; stop and module destroy remove the intervals', async () => {
    jobs.exclusive('off', 0, async () => undefined);
    expect(registry.getIntervals()).toEqual([]);
    let n = 0;
    jobs.local('a', 100, () => void n++);
    jobs.local('b', 100, () => void n++);
    jobs.stop('a');
    expect(registry.getIntervals()).toEqual(['b']);
    jobs.onModuleDestroy();
    expect(registry.getIntervals()).toEqual([]);
    await jest.advanceTimersByTimeAsync(500);
    expect(n).toBe(0);
    jobs.local('late', 100, () => void n++); // after shutdown: nothing starts
    expect(registry.getIntervals()).toEqual([]);
  });

  it('a run still going is not overlapped by the next tick; a failing run does not stop the job', async () => {
    let started = 0;
    let release!: () => void;
    jobs.local('slow', 100, () => {
      started++;
      if (started === 2) throw new Error('boom');
      return started === 1 ? new Promise<void>((r) => (release = r)) : undefined;
    });
    await jest.advanceTimersByTimeAsync(350);
    expect(started).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(200);
    expect(started).toBe(3);
  });
});
