import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { SlackSetup } from '../slack-manifest';

export const SLACK_MODES = ['http', 'socket'] as const;

/** `?mode=socket`: the manifest of a Socket Mode app (no URLs). */
export class SlackManifestQuery {
  @ApiPropertyOptional({ enum: SLACK_MODES, default: 'http', description: 'How the app reaches Switchboard: `http` (Request URLs) or `socket` (Socket Mode)' })
  @IsOptional()
  @IsIn(SLACK_MODES, { message: `mode must be one of: ${SLACK_MODES.join(', ')}` })
  mode?: (typeof SLACK_MODES)[number];
}

export class SlackManifestResponse implements SlackSetup {
  @ApiProperty({ format: 'uuid', description: 'The id the Slack connection of this agent has (or will have once created)' })
  connectionId: string;

  @ApiProperty({ description: 'Whether the agent already has a Slack connection' })
  connected: boolean;

  @ApiProperty({ enum: SLACK_MODES, description: '`http`: Slack posts to `requestUrl` and `slashCommandUrl`; `socket`: Socket Mode, no URL is used' })
  mode: 'http' | 'socket';

  @ApiProperty({ description: 'Same as `requestUrl`' })
  webhookUrl: string;

  @ApiProperty({ example: 'https://sb.example.com/webhooks/slack/0b9d5c3e-…', description: 'Events API Request URL' })
  requestUrl: string;

  @ApiProperty({ description: 'URL of the `/agent` slash command' })
  slashCommandUrl: string;

  @ApiProperty({ description: 'Interactivity Request URL: button clicks (`block_actions`)' })
  interactionsUrl: string;

  @ApiProperty({ type: [String], example: ['app_mention', 'message.im'] })
  botEvents: string[];

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The app manifest (JSON): paste it at api.slack.com/apps → Create New App → From an app manifest',
  })
  manifest: Record<string, unknown>;

  @ApiProperty({ description: 'What to do next' })
  note: string;
}
