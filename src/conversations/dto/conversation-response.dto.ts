import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Conversation, ConversationStatus } from '../entities/conversation.entity';
import type { Message, MessageRole, MessageSender } from '../entities/message.entity';

type ConversationFields = Omit<Conversation, 'team' | 'agent' | 'connection'>;
type MessageFields = Omit<Message, 'conversation'>;

export class ConversationResponse implements ConversationFields {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ format: 'uuid' }) agentId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null for conversations started through the chat API (or whose connection was deleted)' })
  connectionId: string | null;
  @ApiProperty({ example: 'telegram', description: 'The platform of the connection, or `api` for conversations started through POST …/chat' })
  platform: string;
  @ApiProperty({ description: 'The chat at the platform (Telegram chat id, Slack channel, GitHub owner/repo#number)' }) externalChatId: string;
  @ApiProperty({ type: String, nullable: true, description: 'The thread within the chat, if any' }) externalThreadId: string | null;
  @ApiProperty({ enum: ['open', 'completed'] }) status: ConversationStatus;
  @ApiProperty() startedAt: Date;
  @ApiProperty() lastMessageAt: Date;
  @ApiProperty({ type: Date, nullable: true }) completedAt: Date | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Platform facts (e.g. a GitHub issue priority, a blocked chat)' })
  metadata: Record<string, unknown>;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class MessageSenderResponse implements MessageSender {
  @ApiProperty({ description: 'The sender at the platform (or the Switchboard user id for the chat API)' }) id: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional() isBot?: boolean;
}

export class MessageResponse implements MessageFields {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '42', description: 'Insertion order within the database (a decimal string)' }) seq: string;
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ enum: ['user', 'assistant', 'system'] }) role: MessageRole;
  @ApiProperty({ description: 'Markdown for assistant messages' }) content: string;
  @ApiProperty({ type: String, nullable: true, description: "The message's id at the platform" }) externalMessageId: string | null;
  @ApiProperty({ type: MessageSenderResponse, nullable: true }) sender: MessageSender | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Attachments (file id, type, size), the inbound event id, delivery details' })
  metadata: Record<string, unknown>;
}

export class ChatResponse {
  @ApiProperty({ format: 'uuid', description: 'Pass it back as `conversationId` to continue' }) conversationId: string;
  @ApiProperty({ description: "The agent's reply (Markdown); an apology when the runtime failed (see `error`)" }) reply: string;
  @ApiProperty({ format: 'uuid', description: 'The stored reply message' }) messageId: string;
  @ApiPropertyOptional({ description: 'Why the runtime failed, when it did' }) error?: string;
}
