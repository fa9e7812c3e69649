import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTOR_TYPES, AuditActorType } from '../entities/audit-event.entity';
import type { AuditEventView } from '../audit.service';

export class AuditActorResponse {
  @ApiProperty({ enum: AUDIT_ACTOR_TYPES, enumName: 'AuditActorType' }) type: AuditActorType;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The user's or API key's id; null for the CLI" }) id: string | null;
}

export class AuditTargetResponse {
  @ApiProperty({ type: String, nullable: true, example: 'agent' }) type: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The changed row (a UUID, a GitHub issue number, …)' }) id: string | null;
}

/** One change. `before`/`after` are the target's public state around the change; secrets are never recorded. */
export class AuditEventResponse implements AuditEventView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) teamId: string | null;
  @ApiProperty({ type: AuditActorResponse }) actor: AuditActorResponse;
  @ApiProperty({ example: 'agent.updated' }) action: string;
  @ApiProperty({ type: AuditTargetResponse }) target: AuditTargetResponse;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'State before the change (updates, deletions), secrets stripped' })
  before: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The answer of the change (creations, updates), secrets stripped' })
  after: unknown;
  @ApiProperty({ type: String, nullable: true, description: 'The X-Request-Id of the request that made the change' }) requestId: string | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) clientIp: string | null;
  @ApiProperty() createdAt: Date;
}
