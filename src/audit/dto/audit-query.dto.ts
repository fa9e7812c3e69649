import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { AUDIT_ACTOR_TYPES, AuditActorType } from '../entities/audit-event.entity';

export class AuditLogQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AUDIT_ACTOR_TYPES, description: 'Only changes made by this kind of actor' })
  @IsOptional()
  @IsIn(AUDIT_ACTOR_TYPES, { message: `actorType must be one of: ${AUDIT_ACTOR_TYPES.join(', ')}` })
  actorType?: AuditActorType;

  @ApiPropertyOptional({ format: 'uuid', description: "Only changes made by this user or API key (the actor's id)" })
  @IsOptional()
  @IsUUID('all', { message: 'actorId must be a UUID' })
  actorId?: string;

  @ApiPropertyOptional({ example: 'agent.updated', description: 'Only this action' })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like target.verb, e.g. agent.updated' })
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only changes at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only changes before this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;
}
