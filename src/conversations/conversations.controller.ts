import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { CurrentActorId, TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { ConnectorRegistry } from '../connections/connector-registry';
import { ConversationsService } from './conversations.service';
import { API_PLATFORM, ChatDto, ConversationListQuery } from './dto/conversation.dto';
import { ChatResponse, ConversationResponse, MessageResponse } from './dto/conversation-response.dto';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';
import { ChatAnswer, ChatService } from './chat.service';
import { Audited } from '../audit/audited.decorator';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly chats: ChatService,
    private readonly registry: ConnectorRegistry,
  ) {}

  @Get('conversations')
  @ApiOperation({ summary: "List an agent's conversations" })
  @ApiPageResponse(ConversationResponse)
  @ApiErrors(400, 401, 404)
  list(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Query() query: ConversationListQuery,
  ): Promise<Page<Conversation>> {
    if (query.platform !== undefined) this.registry.assertFilter(query.platform, [API_PLATFORM]);
    return this.conversations.list(teamId, agentId, query);
  }

  @Get('conversations/:conversationId/messages')
  @ApiOperation({ summary: 'List the messages of a conversation' })
  @ApiPageResponse(MessageResponse, 'One page, oldest first')
  @ApiErrors(400, 401, 404)
  messages(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @IdParam('conversationId', 'conversation') conversationId: string,
    @Query() query: PageQuery,
  ): Promise<Page<Message>> {
    return this.conversations.listMessages(teamId, agentId, conversationId, query);
  }

  /** Try an agent without a platform: the same conversation + runtime path, answered synchronously. */
  @TeamWrite()
  @Post('chat')
  @Audited({ action: 'conversation.chatted', targetType: 'conversation', idField: 'conversationId', after: false })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Talk to an agent without a platform (owner/admin)',
    description: 'The same conversation and runtime path as a platform message, answered in the response. Omit `conversationId` to start a new conversation.',
  })
  @ApiOkResponse({ type: ChatResponse })
  @ApiErrors(400, 401, 403, 404, [409, 'The agent is not active, the conversation is completed or busy, or was not started here'])
  chat(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @CurrentActorId() actorId: string,
    @Body() dto: ChatDto,
  ): Promise<ChatAnswer> {
    return this.chats.chat(teamId, agentId, actorId, dto.text, dto.conversationId);
  }
}
