import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ExitCode, StartupError } from '../common/startup-error';
import { AppConfig } from '../config/app-config';
import { QueueName, queuesToRun } from './queues';

/** The queues some processor of this process works on (a WorkerHost whose BullMQ worker was started). */
export function processedQueues(hosts: readonly WorkerHost[]): Set<string> {
  const names = new Set<string>();
  for (const host of hosts) {
    try {
      names.add(host.worker.name);
    } catch {
      // never started (its module registered it without a worker): processes nothing
    }
  }
  return names;
}

/** One line per queue the role should run but has no processor for. */
export function missingProcessorProblems(role: string, expected: readonly QueueName[], processed: ReadonlySet<string>): string[] {
  return expected
    .filter((q) => !processed.has(q))
    .map((q) => `ROLE=${role} runs the '${q}' queue, but no processor for it is registered (its worker module is missing from app.module)`);
}

/**
 * At startup, a role that should run a queue refuses to start when that queue has no processor: its jobs would pile
 * up in Redis with nobody to take them. Exits like the other startup failures (one line, ExitCode.SOFTWARE).
 */
@Injectable()
export class QueueProcessorCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const hosts = this.discovery
      .getProviders()
      .map((w) => w.instance as unknown)
      .filter((i): i is WorkerHost => i instanceof WorkerHost);
    const problems = missingProcessorProblems(this.config.role, queuesToRun(this.config), processedQueues(hosts));
    if (problems.length) throw new StartupError(problems, ExitCode.SOFTWARE);
  }
}
