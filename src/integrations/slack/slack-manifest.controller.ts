import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-docs';
import { IdParam } from '../../common/params';
import { ConnectionsService } from '../../connections/connections.service';
import { SlackManifestQuery, SlackManifestResponse } from './dto/slack-manifest-response.dto';
import { slackSetup } from './slack-manifest';

/**
 * The Slack app manifest for an agent, before any connection exists: creating the Slack connection needs a bot token,
 * and a bot token needs an installed app — which this manifest creates. Any team member may read it (it holds URLs,
 * no secrets).
 */
@ApiTags('slack')
@Controller('v1/teams/:teamId/agents/:agentId/connections/slack')
export class SlackManifestController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get('manifest')
  @ApiOperation({
    summary: "Get the Slack app manifest for an agent (before connecting)",
    description:
      'The manifest already holds this agent\'s Request URL, slash command, bot events and scopes. Create the app from it, install it, then ' +
      'POST …/connections {"platform":"slack","credentials":{"botToken":"xoxb-…","signingSecret":"…"}}: the connection gets exactly these URLs. ' +
      'With `?mode=socket` the manifest is a Socket Mode app\'s (no URLs): create an app-level token (connections:write) and add ' +
      '`"appToken":"xapp-…"` to the credentials and `"settings":{"mode":"socket"}`.',
  })
  @ApiOkResponse({ type: SlackManifestResponse })
  @ApiErrors(400, 401, 404)
  async manifest(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('agentId', 'agent') agentId: string,
    @Query() query: SlackManifestQuery,
  ): Promise<SlackManifestResponse> {
    const planned = await this.connections.plannedAddress(teamId, agentId, 'slack');
    const socket = query.mode === 'socket';
    const note = planned.connected
      ? 'This agent is connected to Slack already; these are its URLs.'
      : socket
        ? 'Create the Slack app from `manifest`, install it, create an app-level token with the connections:write scope (Basic Information → App-Level Tokens), then create the connection with ' +
          '{"credentials":{"botToken":"xoxb-…","signingSecret":"…","appToken":"xapp-…"},"settings":{"mode":"socket"}}.'
        : 'Create the Slack app from `manifest`, install it to your workspace, then create the connection with its Bot User OAuth Token (xoxb-…) and Signing Secret.';
    return { connectionId: planned.connectionId, connected: planned.connected, ...slackSetup(planned.webhookUrl, planned.agentName, socket ? 'socket' : 'http'), note };
  }
}
