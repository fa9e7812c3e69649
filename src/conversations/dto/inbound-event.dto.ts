import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { INBOUND_STATUSES, InboundStatus } from '../entities/inbound-event.entity';
import type { EventLogQuery } from '../inbound-event-log.service';

export class InboundEventListQuery extends PageQuery implements EventLogQuery {
  @ApiPropertyOptional({ enum: INBOUND_STATUSES, enumName: 'InboundEventStatus' })
  @IsOptional()
  @IsIn(INBOUND_STATUSES, { message: `status must be one of: ${INBOUND_STATUSES.join(', ')}` })
  status?: InboundStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events received at or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events received before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;
}
