import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/decorators';
import { ValidationFailed } from '../../common/errors';
import { SlackEnvelope, SlackSlashCommand } from './slack-event';
import { SlackIngest, SlashAck } from './slack-ingest.service';
import { SlackRequest, SlackSignatureGuard } from './slack-signature.guard';

function assertObject(body: unknown): asserts body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = 'the body must be a JSON object (events) or a form (slash commands)';
    throw new ValidationFailed(message, [{ field: 'body', messages: [message] }]);
  }
}

/** Slack Events API and slash commands. Verified, stored, acknowledged well under Slack's 3 seconds. */
@ApiExcludeController()
@Public()
@Controller('webhooks/slack')
@UseGuards(SlackSignatureGuard)
export class SlackEventsController {
  constructor(private readonly ingest: SlackIngest) {}

  @Post(':connectionId')
  @HttpCode(200)
  async events(@Req() req: SlackRequest, @Body() body: SlackEnvelope & { ssl_check?: string }): Promise<unknown> {
    assertObject(body);
    if (body.ssl_check) return {};
    if (body.type === 'url_verification') return { challenge: body.challenge };
    await this.ingest.event(req.platformConnection!, body);
    return {};
  }

  @Post(':connectionId/commands')
  @HttpCode(200)
  async command(@Req() req: SlackRequest, @Body() body: Omit<SlackSlashCommand, 'type'>): Promise<SlashAck> {
    assertObject(body);
    return this.ingest.command(req.platformConnection!, body);
  }
}
