import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { SchedulerLock } from '../../database/scheduler-lock';
import { ConversationsService } from '../conversations.service';
import { InboundEventsRepository } from '../inbound-events.repository';
import { InboundService } from '../inbound.service';

/**
 * Worker, one replica at a time: wakes conversations whose stored events have waited over a minute with no live
 * lease (Redis was flushed, an enqueue failed, a worker died mid-turn), and completes conversations idle for CONVERSATION_IDLE_MINUTES.
 */
@Injectable()
export class InboundSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('InboundSweeper');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: InboundEventsRepository,
    private readonly inbound: InboundService,
    private readonly conversations: ConversationsService,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.config.inbound.sweepIntervalSeconds;
    if (s > 0) this.timer = setInterval(() => void this.tick(), s * 1000);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    await this.lock.runExclusive('inbound-sweep', async () => {
      const n = await this.sweep();
      if (n) this.logger.warn(`woke ${n} conversation(s) whose events had no live job or lease`);
    });
    await this.lock.runExclusive('conversation-idle', async () => {
      await this.conversations.completeIdle(this.config.inbound.conversationIdleMinutes);
    });
  }

  /**
   * Returns how many conversations were woken: those whose oldest unfinished event is due and that no live lease
   * covers, for `olderThanMs` (60 s in production; a dead worker's conversations resume once its lease expired).
   */
  async sweep(olderThanMs = 60_000): Promise<number> {
    const stalled = await this.events.stalledHeads(olderThanMs);
    for (const h of stalled) await this.inbound.enqueue({ eventId: h.id, connectionId: h.connectionId, orderingKey: h.orderingKey }, { fresh: true });
    return stalled.length;
  }
}
