import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { ConversationsService } from './conversations.service';
import { ChatDto, ConversationListQuery } from './dto/conversation.dto';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';
import { ChatAnswer, InboundPipeline } from './inbound.pipeline';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly pipeline: InboundPipeline,
  ) {}

  @Get('conversations')
  list(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Query() query: ConversationListQuery,
  ): Promise<Page<Conversation>> {
    return this.conversations.list(teamId, agentId, query);
  }

  @Get('conversations/:conversationId/messages')
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
  @HttpCode(200)
  chat(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @CurrentUser() user: AuthUser,
    @Body() dto: ChatDto,
  ): Promise<ChatAnswer> {
    return this.pipeline.chat(teamId, agentId, user.id, dto.text, dto.conversationId);
  }
}
