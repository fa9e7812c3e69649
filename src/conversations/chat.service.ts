import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { RuntimeErrorCode } from '../agents/runtimes/runtime.types';
import { Conflict, NotFound, ValidationFailed } from '../common/errors';
import { AgentTurnService, TurnAgent } from './agent-turn.service';
import { ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { LeaseKeeper } from './lease-keeper';
import { Ids } from '../common/ids';

/** POST …/chat's answer; `error`/`errorCode` are set when the runtime failed and `reply` is the apology. */
export interface ChatAnswer {
  conversationId: string;
  reply: string;
  messageId: string;
  error?: string;
  errorCode?: RuntimeErrorCode;
}

/** `POST …/chat`: an agent turn without a platform, answered synchronously, one message of a conversation at a time. */
@Injectable()
export class ChatService {
  constructor(
    private readonly agents: AgentsService,
    private readonly conversations: ConversationsService,
    private readonly turns: AgentTurnService,
    private readonly leases: LeaseKeeper,
    private readonly ids: Ids,
  ) {}

  async chat(teamId: string, agentId: string, userId: string, text: string, conversationId?: string): Promise<ChatAnswer> {
    if (!text.trim()) throw new ValidationFailed('text must not be empty', [{ field: 'text', messages: ['text must not be empty'] }]);
    const turn = await this.agents.loadForTurn(agentId, teamId); // another team's agent is not found
    if (!turn) throw new NotFound('agent');
    if (turn.agent.status !== 'active') throw new Conflict(`the agent is ${turn.agent.status}; it answers nothing until it is active again`);
    let conversation: Conversation;
    if (conversationId) {
      conversation = await this.conversations.get(teamId, agentId, conversationId);
      if (conversation.platform !== 'api') throw new Conflict('only conversations started through this API can be continued here');
      if (conversation.status !== 'open') throw new Conflict('this conversation is completed; start a new one (omit conversationId)');
    }
    const key = { teamId, agentId, connectionId: null, platform: 'api', chatId: `user:${userId}`, threadId: this.ids.uuid() };
    if (!conversationId) {
      // a new conversation: nobody else can know its id yet, so no lease is needed to keep its order
      conversation = await this.turns.storeUserMessage(key, { content: text, sender: { id: userId } });
      return this.answer(turn, conversation);
    }
    const r = await this.leases.withLease(`chat:${conversationId}`, async () => {
      await this.turns.appendUserMessage(conversation, { content: text, sender: { id: userId } });
      return this.answer(turn, conversation);
    });
    if (!r.acquired) throw new Conflict('this conversation is answering another message; try again in a moment');
    return r.result;
  }

  private async answer(turn: TurnAgent, conversation: Conversation): Promise<ChatAnswer> {
    const answer = await this.turns.runWithRetries(turn, conversation);
    const m = await this.turns.storeReply(conversation, answer);
    return { conversationId: conversation.id, reply: answer.reply, messageId: m.id, ...(answer.error ? { error: answer.error, errorCode: answer.errorCode } : {}) };
  }
}
