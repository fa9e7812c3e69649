import { ApiProperty } from '@nestjs/swagger';
import { INBOUND_STATUSES, InboundStatus } from '../entities/inbound-event.entity';
import type { InboundEventDetailView, InboundEventView } from '../inbound-event-log.service';

/** A stored platform event as the event log lists it (without its payload). */
export class InboundEventResponse implements InboundEventView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ example: 'telegram' }) platform: string;
  @ApiProperty({ example: '100042', description: "The platform's delivery id (Telegram update_id, Slack event_id, GitHub X-GitHub-Delivery)" }) dedupeKey: string;
  @ApiProperty({ example: '123456789', description: 'The conversation at the platform the event belongs to (chat, thread…); events of one are handled in order' })
  orderingKey: string;
  @ApiProperty({
    enum: INBOUND_STATUSES,
    enumName: 'InboundEventStatus',
    description: '`received` (waiting), `processing`, `done`, `ignored` (not for the agent, or the connection or agent was not active), `failed`',
  })
  status: InboundStatus;
  @ApiProperty({ type: String, nullable: true, description: 'Why it failed or was ignored, or why it waits' }) error: string | null;
  @ApiProperty({ type: 'integer', description: 'Processing attempts since it was received or last replayed' }) attempts: number;
  @ApiProperty() receivedAt: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'When it was settled (done, ignored or failed)' }) processedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true, description: 'On hold until (a platform asked us to wait, or a retry)' }) notBefore: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) conversationId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The stored reply; a replay resends it instead of asking the agent again' })
  replyMessageId: string | null;
}

export class InboundEventDetailResponse extends InboundEventResponse implements InboundEventDetailView {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event as the platform sent it (owner/admin only)' })
  payload: Record<string, unknown>;
}
