import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class ConversationListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['telegram', 'slack', 'github', 'api'] })
  @IsOptional()
  @IsIn(['telegram', 'slack', 'github', 'api'], { message: 'platform must be one of: telegram, slack, github, api' })
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
