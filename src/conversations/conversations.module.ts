import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { ConnectionsModule } from '../connections/connections.module';
import { QueueName } from '../queue/queues';
import { ConnectionHealthController } from './connection-health.controller';
import { ConversationsController } from './conversations.controller';
import { AgentMessagesController } from './agent-messages.controller';
import { ProactiveMessagesService } from './proactive-messages.service';
import { InboundEventLogService } from './inbound-event-log.service';
import { InboundEventsController } from './inbound-events.controller';
import { ConversationsService } from './conversations.service';
import { ConversationsRepository } from './conversations.repository';
import { MessagesRepository } from './messages.repository';
import { AgentMemory } from './entities/agent-memory.entity';
import { Conversation } from './entities/conversation.entity';
import { InboundEvent } from './entities/inbound-event.entity';
import { Message } from './entities/message.entity';
import { AgentTurnService } from './agent-turn.service';
import { ChatService } from './chat.service';
import { ConversationLeaseRepository } from './conversation-lease.repository';
import { ConversationLease } from './entities/conversation-lease.entity';
import { InboundEventsRepository } from './inbound-events.repository';
import { InboundEventLogRepository } from './inbound-event-log.repository';
import { InboundPipeline } from './inbound.pipeline';
import { InboundAnswers } from './inbound-answers';
import { LeaseKeeper } from './lease-keeper';
import { TurnWrites } from './turn-writes';
import { IncomingMedia } from './incoming-media';
import { MessageHistoryRepository } from './message-history.repository';
import { InboundWakeups } from './inbound-wakeups';
import { LocalInboundRuns } from './local-inbound-runs';
import { InboundService } from './inbound.service';
import { InboundProcessor } from './jobs/inbound.processor';
import { InboundSweeper } from './jobs/inbound.sweeper';
import { EventsModule } from '../events/events.module';
import { ActionTurns } from './actions/action-turns';
import { ApprovalExpiryScheduler } from './actions/approval-expiry.scheduler';
import { MessageActionsRepository } from './actions/message-actions.repository';
import { MessageActionsService } from './actions/message-actions.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([InboundEvent, Conversation, Message, AgentMemory, ConversationLease]),
    BullModule.registerQueue({ name: QueueName.Inbound }),
    ConnectionsModule,
    AgentsModule,
    EventsModule,
  ],
  controllers: [ConversationsController, InboundEventsController, AgentMessagesController, ConnectionHealthController],
  providers: [
    ConversationsService,
    ConversationsRepository,
    MessagesRepository,
    MessageHistoryRepository,
    LocalInboundRuns,
    InboundWakeups,
    InboundService,
    InboundPipeline,
    InboundAnswers,
    InboundEventsRepository,
    InboundEventLogRepository,
    ConversationLeaseRepository,
    LeaseKeeper,
    AgentTurnService,
    TurnWrites,
    IncomingMedia,
    ChatService,
    InboundEventLogService,
    ProactiveMessagesService,
    MessageActionsRepository,
    MessageActionsService,
    ActionTurns,
  ],
  exports: [ConversationsService, InboundService, LocalInboundRuns, InboundWakeups, InboundPipeline, InboundEventsRepository, InboundEventLogRepository, AgentTurnService, ProactiveMessagesService, ActionTurns],
})
export class ConversationsModule {}

/** Worker-only: the sweeper (stalled inbound conversations, idle conversations, the event log's retention). */
@Module({
  imports: [ConversationsModule, BullModule.registerQueue({ name: QueueName.Inbound })],
  providers: [InboundSweeper, ApprovalExpiryScheduler],
  exports: [InboundSweeper, ApprovalExpiryScheduler],
})
export class ConversationsWorkerModule {}

/** Worker-only, and only with ENABLE_INTEGRATIONS=true: the inbound processor (the pipeline's BullMQ worker). */
@Module({
  imports: [ConversationsModule, BullModule.registerQueue({ name: QueueName.Inbound })],
  providers: [InboundProcessor],
})
export class InboundWorkerModule {}
