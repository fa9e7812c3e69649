import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { ApiErrors } from '../common/api-docs';
import { TeamWrite } from '../common/decorators';
import { IdParam } from '../common/params';
import { SendMessageDto, SentMessageResponse } from './dto/proactive-message.dto';
import { ProactiveMessagesService, SentMessage } from './proactive-messages.service';

/** Messages the agent starts (alerts, CI results, scheduled reports): owners and admins, or a key with `write`. */
@ApiTags('conversations')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/agents/:agentId/messages')
export class AgentMessagesController {
  constructor(private readonly messages: ProactiveMessagesService) {}

  @TeamWrite()
  @Post()
  @Audited({ action: 'message.sent', targetType: 'message', idField: 'messageId', after: false })
  @ApiOperation({
    summary: 'Send a message as the agent to a chat of one of its connections (owner/admin)',
    description:
      "Formatted and split for the platform like a reply, then stored as the agent's message (role `assistant`) in that chat's conversation (found or opened like for inbound messages); `message.created` fires. " +
      'A platform rate limit answers 429 with `Retry-After` (the message says whether part of a long text went out; that part is stored). `actions` are checked and stored with the message but not sent as buttons yet.',
  })
  @ApiCreatedResponse({ type: SentMessageResponse })
  @ApiErrors(
    400,
    401,
    403,
    [404, 'The agent is not in this team, or the connection is not this agent’s'],
    [409, 'The agent or the connection is not active'],
    [422, 'The platform refused the message (unknown chat, bot blocked, credentials rejected)'],
    [429, 'The platform is rate limiting this chat: retry after `Retry-After` seconds'],
    502,
  )
  send(@IdParam('teamId', 'team') teamId: string, @IdParam('agentId', 'agent') agentId: string, @Body() dto: SendMessageDto): Promise<SentMessage> {
    return this.messages.send(teamId, agentId, dto);
  }
}
