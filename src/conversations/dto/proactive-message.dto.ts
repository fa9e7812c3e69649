import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';

export const MESSAGE_ACTION_STYLES = ['primary', 'danger'] as const;

/** A button under a message. Accepted and checked now; sending buttons arrives with the buttons feature. */
export class MessageActionDto {
  @ApiProperty({ example: 'ack', description: 'Your id for the action (1–64 of `A-Za-z0-9_.:-`)' })
  @IsString({ message: 'id must be a string' })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'id must be 1–64 characters of A-Za-z0-9_.:-' })
  id: string;

  @ApiProperty({ example: 'Acknowledge' })
  @IsString({ message: 'label must be a string' })
  @MinLength(1, { message: 'label must not be empty' })
  @MaxLength(75, { message: 'label must be at most 75 characters' })
  label: string;

  @ApiPropertyOptional({ enum: MESSAGE_ACTION_STYLES })
  @IsOptional()
  @IsIn(MESSAGE_ACTION_STYLES, { message: `style must be one of: ${MESSAGE_ACTION_STYLES.join(', ')}` })
  style?: (typeof MESSAGE_ACTION_STYLES)[number];

  @ApiPropertyOptional({ example: 'incident-42', description: 'Passed back when the button is clicked' })
  @IsOptional()
  @IsString({ message: 'value must be a string' })
  @MaxLength(2000, { message: 'value must be at most 2000 characters' })
  value?: string;
}

/** Where a message goes: a chat (and thread) of one of the agent's connections. */
export class MessageTargetDto {
  @ApiProperty({ format: 'uuid', description: "One of this agent's connections" })
  @IsUUID('all', { message: 'connectionId must be a UUID' })
  connectionId: string;

  @ApiProperty({ example: '123456789', description: 'Telegram chat id, Slack channel id, or GitHub `owner/repo`' })
  @IsString({ message: 'chatId must be a string' })
  @MinLength(1, { message: 'chatId must not be empty' })
  @MaxLength(200, { message: 'chatId must be at most 200 characters' })
  chatId: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Telegram forum topic id, Slack thread ts, or the GitHub issue/pull request number' })
  @IsOptional()
  @IsString({ message: 'threadId must be a string' })
  @MinLength(1, { message: 'threadId must not be empty' })
  @MaxLength(200, { message: 'threadId must be at most 200 characters' })
  threadId?: string | null;
}

export class SendMessageDto extends MessageTargetDto {
  @ApiProperty({ example: 'Deploy **v1.4.0** finished.', description: 'Markdown; formatted and split for the platform' })
  @IsString({ message: 'text must be a string' })
  @Matches(/\S/, { message: 'text must not be empty' })
  @MaxLength(20000, { message: 'text must be at most 20000 characters' })
  text: string;

  @ApiPropertyOptional({ type: [MessageActionDto], description: 'Buttons under the message (its last part); a click works like on a reply (see README, Buttons and approvals)' })
  @IsOptional()
  @IsArray({ message: 'actions must be an array' })
  @ArrayMaxSize(10, { message: 'actions must have at most 10 entries' })
  @ValidateNested({ each: true })
  @Type(() => MessageActionDto)
  actions?: MessageActionDto[];
}

export class SentMessageResponse {
  @ApiProperty({ format: 'uuid', description: 'The stored message (role `assistant`)' }) messageId: string;
  @ApiProperty({ format: 'uuid', description: 'The conversation of that chat (found or opened, like for inbound messages)' }) conversationId: string;
  @ApiProperty({ type: String, nullable: true, description: "The platform's id of the first message sent" }) externalMessageId: string | null;
  @ApiProperty({ description: 'How many platform messages the text was split into' }) parts: number;
}
