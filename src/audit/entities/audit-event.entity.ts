import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorType = 'user' | 'api_key' | 'cli';
export const AUDIT_ACTOR_TYPES: AuditActorType[] = ['user', 'api_key', 'cli'];

/**
 * One change made through the API or the CLI: who (a user, an API key, the CLI), what (`agent.updated`), to which
 * row, its state before and after (secrets stripped), and the request it came with. `team_id` has no foreign key on
 * purpose: a deleted team's log (including its `team.deleted`) stays until AUDIT_RETENTION_DAYS.
 */
@Entity('audit_event')
@Index(['teamId', 'createdAt'])
@Index(['createdAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Null for changes outside any team (the CLI rotating keys, creating a user without a team). */
  @Column({ type: 'uuid', nullable: true }) teamId: string | null;
  @Column({ type: 'enum', enum: AUDIT_ACTOR_TYPES, enumName: 'audit_actor_type' }) actorType: AuditActorType;
  /** The user's or the API key's id; null for the CLI. */
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'varchar', length: 100 }) action: string;
  @Column({ type: 'varchar', length: 50, nullable: true }) targetType: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) targetId: string | null;
  @Column({ type: 'jsonb', nullable: true }) before: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) after: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) clientIp: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
