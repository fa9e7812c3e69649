import { Controller, Get, Header, Injectable, NestMiddleware, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../common/decorators';
import { QueueName } from '../queue/queues';
import { RedisAvailability } from '../queue/redis-availability';
import { RedisClient } from '../queue/redis-client';
import { wakeupListKey } from '../queue/wakeup-list';
import { AppConfig } from '../config/app-config';

@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly redis: RedisAvailability,
    private readonly redisClient: RedisClient,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    const { moduleRef, redis } = this;
    const client = this.redisClient.client;
    const prefix = this.config.redis.prefix;
    new Gauge({
      name: 'redis_up',
      help: '1 while Redis answers, 0 while it is unreachable (queue_jobs is then left out)',
      registers: [this.registry],
      collect() {
        this.set(redis.isDown() ? 0 : 1);
      },
    });
    new Gauge({
      name: 'queue_jobs',
      help: 'BullMQ jobs by queue and state, and (state "wakeups") first wake-ups waiting on the queue\'s wake-up list',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset(); // no stale counts from before an outage
        const queues = Object.values(QueueName).flatMap((name) => {
          try {
            return [{ name, queue: moduleRef.get<Queue>(getQueueToken(name), { strict: false }) }];
          } catch {
            return []; // queue not registered in this process
          }
        });
        // bounded and in parallel, skipped while Redis is down: a scrape answers whatever Redis does
        const counts = await Promise.all(
          queues.map(({ name, queue }) =>
            redis
              .run('queue job counts', async () => {
                const [counts, wakeups] = await Promise.all([
                  queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
                  client.llen(wakeupListKey(prefix, name)),
                ]);
                return { ...counts, wakeups };
              })
              .catch(() => null),
          ),
        );
        queues.forEach(({ name }, i) => {
          for (const [state, n] of Object.entries(counts[i] ?? {})) this.set({ queue: name, state }, n);
        });
      },
    });
  }
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  }
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
