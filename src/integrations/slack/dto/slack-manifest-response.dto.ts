import { ApiProperty } from '@nestjs/swagger';
import type { SlackSetup } from '../slack-manifest';

export class SlackManifestResponse implements SlackSetup {
  @ApiProperty({ format: 'uuid', description: 'The id the Slack connection of this agent has (or will have once created)' })
  connectionId: string;

  @ApiProperty({ description: 'Whether the agent already has a Slack connection' })
  connected: boolean;

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
