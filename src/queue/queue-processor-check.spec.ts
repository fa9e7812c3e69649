import { WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService } from '@nestjs/core';
import { ExitCode, StartupError } from '../common/startup-error';
import { AppConfig } from '../config/app-config';
import { QueueProcessorCheck, missingProcessorProblems, processedQueues } from './queue-processor-check';
import { QueueName, queuesToRun } from './queues';

/** A processor host whose worker runs `queue` (or was never started). */
function host(queue?: string): WorkerHost {
  const h = Object.create(WorkerHost.prototype) as WorkerHost;
  Object.defineProperty(h, 'worker', {
    get: () => {
      if (!queue) throw new Error('worker not initialized');
      return { name: queue };
    },
  });
  return h;
}

function check(role: 'api' | 'worker' | 'all', integrations: boolean, instances: unknown[]): QueueProcessorCheck {
  const config = { role, runsWorker: role !== 'api', integrations: { enabled: integrations } } as AppConfig;
  const discovery = { getProviders: () => instances.map((instance) => ({ instance })) } as unknown as DiscoveryService;
  return new QueueProcessorCheck(discovery, config);
}

describe('queuesToRun', () => {
  it('a worker role runs inbound when integrations are on; api runs none', () => {
    expect(queuesToRun({ runsWorker: true, integrations: { enabled: true } })).toEqual([QueueName.Inbound]);
    expect(queuesToRun({ runsWorker: true, integrations: { enabled: false } })).toEqual([]);
    expect(queuesToRun({ runsWorker: false, integrations: { enabled: true } })).toEqual([]);
  });
});

describe('QueueProcessorCheck', () => {
  it('refuses to start a worker whose queue has no processor: one line naming role and queue, exit code 70', () => {
    let thrown: unknown;
    try {
      check('worker', true, [{}, host(undefined)]).onApplicationBootstrap();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StartupError);
    expect((thrown as StartupError).exitCode).toBe(ExitCode.SOFTWARE);
    expect((thrown as StartupError).problems).toEqual([
      "ROLE=worker runs the 'inbound' queue, but no processor for it is registered (its worker module is missing from app.module)",
    ]);
  });

  it('starts when every queue the role runs has a processor, and when the role runs none', () => {
    expect(() => check('all', true, [host(QueueName.Inbound)]).onApplicationBootstrap()).not.toThrow();
    expect(() => check('api', true, []).onApplicationBootstrap()).not.toThrow();
    expect(() => check('worker', false, []).onApplicationBootstrap()).not.toThrow();
  });

  it('a processor of another queue does not count', () => {
    expect(processedQueues([host('other'), host(undefined)])).toEqual(new Set(['other']));
    expect(missingProcessorProblems('all', [QueueName.Inbound], new Set(['other']))).toHaveLength(1);
  });
});
