import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Agent } from '../agents/entities/agent.entity';
import { AgentRuntimeService } from '../agents/runtimes/agent-runtime.service';
import { RuntimeSecrets } from '../agents/runtimes/runtime-config';
import { TextSink } from '../agents/runtimes/runtime-streams';
import { RuntimeAction, RuntimeAttachment, RuntimeError, RuntimeErrorCode, RuntimeMessage, RuntimeReply } from '../agents/runtimes/runtime.types';
import { AppConfig } from '../config/app-config';
import { ConversationKey, ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { Message, MessageSender } from './entities/message.entity';
import { MessageHistoryRepository } from './message-history.repository';

export const UNAVAILABLE_REPLY = 'Sorry — the agent is unavailable right now. Please try again in a little while.';
export const RESET_REPLY = 'Okay — starting a new conversation.';

/** An agent as one turn needs it: loaded once per message with its decrypted runtime secrets. */
export interface TurnAgent {
  agent: Agent;
  secrets: RuntimeSecrets;
  /** The agent's transcription API key, when it has one (voice notes). */
  transcriptionKey?: string;
}

export interface UserMessage {
  content: string;
  sender?: MessageSender | null;
  externalMessageId?: string | null;
  metadata?: Record<string, unknown>;
}

export interface Answer extends RuntimeReply {
  /** Set when the runtime failed for good: `reply` is then the apology the user gets. */
  error?: string;
  errorCode?: RuntimeErrorCode;
  /** `/reset`: the conversation completes once the reply is stored. */
  reset?: boolean;
  /** Platform messages a streamed reply already shows (stored with the reply; the final text replaces them). */
  streamed?: string[];
}

/**
 * One agent turn, shared by platform events and `POST …/chat`: store the user's message → run the agent → store the
 * reply. Each store is a short transaction (its events go out through the outbox); nothing is held across the agent
 * call.
 */
@Injectable()
export class AgentTurnService {
  private readonly logger = new Logger('AgentTurn');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly conversations: ConversationsService,
    private readonly history: MessageHistoryRepository,
    private readonly runtimes: AgentRuntimeService,
    private readonly config: AppConfig,
  ) {}

  /** Finds or opens the conversation for `key` and stores the user's message in it (platform messages: TurnWrites). */
  async storeUserMessage(key: ConversationKey, msg: UserMessage): Promise<Conversation> {
    return this.dataSource.transaction(async (em) => {
      const { conversation } = await this.conversations.findOrOpen(em, key);
      await this.conversations.append(em, conversation, { role: 'user', ...msg });
      return conversation;
    });
  }

  /** Stores a user message in a conversation the caller already has (the chat API). */
  async appendUserMessage(conversation: Conversation, msg: UserMessage): Promise<void> {
    await this.dataSource.transaction((em) => this.conversations.append(em, conversation, { role: 'user', ...msg }));
  }

  /**
   * Runs the agent once on the conversation's recent history (the `echo` runtime needs only `lastUserText`). Throws
   * RuntimeError (`transient` says whether to retry). A streaming runtime tells `sink` the text so far as it grows. `action`: the turn answers a button click (the
   * http runtime gets it as `action`; the others read the stored user message that describes it).
   */
  async runOnce(turn: TurnAgent, conversation: Conversation, lastUserText?: string, attachments?: RuntimeAttachment[], sink?: TextSink, action?: RuntimeAction): Promise<RuntimeReply> {
    const { agent, secrets } = turn;
    const runtime = agent.runtime;
    const historyLimit = typeof runtime.historyMessages === 'number' ? runtime.historyMessages + 1 : 21;
    const messages: RuntimeMessage[] =
      runtime.type === 'echo' && lastUserText !== undefined
        ? [{ role: 'user', content: lastUserText }]
        : await this.history.recent(conversation.id, historyLimit);
    return this.runtimes.reply({
      agent: { id: agent.id, teamId: agent.teamId, name: agent.name, slug: agent.slug, runtime },
      conversation: {
        id: conversation.id,
        platform: conversation.platform,
        externalChatId: conversation.externalChatId,
        externalThreadId: conversation.externalThreadId,
      },
      messages,
      ...(attachments?.length ? { attachments } : {}),
      secrets,
      ...(action ? { action } : {}),
    }, sink);
  }

  /**
   * For callers that wait for the answer (the chat API): retries transient failures with AGENT_RETRY_DELAYS_MS in
   * process, then answers with an apology. The inbound pipeline retries through the event's not_before instead.
   */
  async runWithRetries(turn: TurnAgent, conversation: Conversation): Promise<Answer> {
    const delays = this.config.inbound.agentRetryDelaysMs;
    let lastError = new RuntimeError('unknown error', false, 'UNKNOWN_RUNTIME');
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      try {
        return await this.runOnce(turn, conversation);
      } catch (e) {
        if (!(e instanceof RuntimeError)) throw e;
        lastError = e;
        if (!e.transient || attempt === delays.length) break;
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
    return this.gaveUp(turn, lastError);
  }

  /** The apology the user gets once the runtime failed for good. */
  gaveUp(turn: TurnAgent, error: RuntimeError): Answer {
    this.logger.warn(`agent ${turn.agent.id} runtime failed: ${error.message}`);
    return { reply: UNAVAILABLE_REPLY, memories: [], error: `agent runtime failed: ${error.message}`, errorCode: error.code };
  }

  /** Stores the reply (and memories; completes the conversation on /reset). Platform replies: TurnWrites. */
  async storeReply(conversation: Conversation, answer: Answer): Promise<Message> {
    return this.dataSource.transaction(async (em) => {
      const reply = await this.conversations.append(em, conversation, { role: 'assistant', content: answer.reply, metadata: answer.error ? { runtimeError: answer.error } : {} });
      await this.conversations.remember(em, conversation, answer.memories);
      if (answer.reset) await this.conversations.complete(em, conversation, 'reset');
      return reply;
    });
  }
}
