import { AgentMemory } from './entities/agent-memory.entity';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';

export const PREVIEW_CHARS = 200;

export function conversationData(c: Conversation): Record<string, unknown> {
  return {
    conversation_id: c.id,
    agent_id: c.agentId,
    connection_id: c.connectionId,
    platform: c.platform,
    external_chat_id: c.externalChatId,
    external_thread_id: c.externalThreadId,
    status: c.status,
    started_at: c.startedAt,
    last_message_at: c.lastMessageAt,
  };
}

export function messageData(c: Conversation, m: Message): Record<string, unknown> {
  return {
    message_id: m.id,
    conversation_id: c.id,
    agent_id: c.agentId,
    platform: c.platform,
    role: m.role,
    content_preview: m.content.slice(0, PREVIEW_CHARS),
    content_length: m.content.length,
    sender: m.sender,
    external_message_id: m.externalMessageId,
    created_at: m.createdAt,
  };
}

export function memoryData(m: AgentMemory): Record<string, unknown> {
  return {
    memory_id: m.id,
    agent_id: m.agentId,
    conversation_id: m.conversationId,
    type: m.type,
    content: m.content,
    importance: m.importance,
    created_at: m.createdAt,
  };
}
