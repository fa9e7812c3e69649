import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';

/** The `platform` of conversations started through `POST …/chat` rather than at a platform. */
export const API_PLATFORM = 'api';

export class ConversationListQuery extends PageQuery {
  /** The document lists the registered platforms and `api` (src/openapi/openapi.ts); the controller checks the value. */
  @ApiPropertyOptional({ enum: [API_PLATFORM], enumName: 'ConversationPlatform' })
  @IsOptional()
  @IsString({ message: 'platform must be a string' })
  platform?: string;

  @ApiPropertyOptional({ enum: ['open', 'completed'] })
  @IsOptional()
  @IsIn(['open', 'completed'], { message: 'status must be one of: open, completed' })
  status?: string;
}

export class ChatDto {
  @ApiProperty({ example: 'Hello! What can you do?' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text: string;

  @ApiPropertyOptional({ description: 'Continue a conversation started with this API; omit to start a new one' })
  @IsOptional()
  @IsUUID('all', { message: 'conversationId must be a UUID' })
  conversationId?: string;
}
