import { Injectable } from '@nestjs/common';
import { RuntimeAttachment, RuntimeError } from '../agents/runtimes/runtime.types';
import { mayStream } from '../agents/runtimes/runtime-streams';
import { AppConfig } from '../config/app-config';
import { ConnectorContext, IncomingMessage, InboundConnector, PlatformConnector } from '../connections/platform-connector';
import { Clock } from '../common/clock';
import { Answer, AgentTurnService, RESET_REPLY, TurnAgent } from './agent-turn.service';
import { Conversation } from './entities/conversation.entity';
import { InboundEvent } from './entities/inbound-event.entity';
import { InboundEventsRepository } from './inbound-events.repository';
import { WorkingIndicator } from './working-indicator';

/** The agent's answer to one platform message, for the inbound pipeline. */
@Injectable()
export class InboundAnswers {
  constructor(
    private readonly config: AppConfig,
    private readonly events: InboundEventsRepository,
    private readonly turns: AgentTurnService,
    private readonly clock: Clock,
  ) {}

  /**
   * Commands (`/reset`, the connector's own), then one runtime call: the working sign while it takes long, the reply
   * streamed when the runtime and the connector can. A transient runtime failure puts the event on hold for the next
   * retry delay (`until`); one that is given up on answers with the apology.
   */
  async answer(
    ev: InboundEvent,
    connector: PlatformConnector & InboundConnector,
    ctx: ConnectorContext,
    turn: TurnAgent,
    conversation: Conversation,
    incoming: IncomingMessage,
    attachments: RuntimeAttachment[],
  ): Promise<(Answer & { workingShown?: boolean }) | { until: Date }> {
    if (incoming.command) {
      if (incoming.command.name === 'reset') return { reply: RESET_REPLY, memories: [], reset: true };
      const text = connector.commandReply?.({ agentName: turn.agent.name, agentStatus: turn.agent.status, settings: ctx.connection.settings, command: incoming.command });
      if (text !== undefined) return { reply: text, memories: [] };
    }
    const working = new WorkingIndicator(connector, ctx, incoming, this.config.inbound.workingDelayMs);
    // A streamed reply is shown while the runtime writes it; the stored final text then replaces what was shown.
    const stream = mayStream(turn.agent.runtime) ? connector.openStream?.(ctx, { chatId: incoming.chatId, threadId: incoming.threadId ?? null, incoming }) : undefined;
    try {
      const reply = await this.turns.runOnce(
        turn,
        conversation,
        incoming.text,
        attachments,
        stream
          ? (text) => {
              void working.settle(); // the reply itself is showing now: no "typing…" from here on
              stream.update(text);
            }
          : undefined,
        incoming.action,
      );
      const streamed = (await stream?.close()) ?? [];
      return { ...reply, ...(streamed.length ? { streamed } : {}), workingShown: await working.settle() };
    } catch (e) {
      await working.settle();
      const delays = this.config.inbound.agentRetryDelaysMs;
      const retry = e instanceof RuntimeError && e.transient && ev.agentAttempts < delays.length;
      // retried: what was shown is marked interrupted (the retry streams anew); given up: the apology replaces it
      const streamed = (await (retry ? stream?.abort() : stream?.close())) ?? [];
      if (!(e instanceof RuntimeError)) throw e;
      if (!retry) return { ...this.turns.gaveUp(turn, e), ...(streamed.length ? { streamed } : {}) };
      const until = new Date(this.clock.nowMs() + delays[ev.agentAttempts]);
      await this.events.hold(ev.id, until, `agent runtime will retry: ${e.message}`, ev.agentAttempts + 1);
      return { until };
    }
  }
}
