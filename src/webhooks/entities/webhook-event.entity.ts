import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Team } from '../../teams/entities/team.entity';

/** One published event (the outbox row). Its id (`evt_…`) is the `webhook-id` of every delivery and retry. */
@Entity('webhook_event')
@Index(['teamId', 'createdAt'])
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id: string;
  @Column('uuid') teamId: string;
  @Column({ type: 'varchar', length: 100 }) type: string;
  @Column({ type: 'jsonb' }) data: Record<string, unknown>;
  /** The envelope's `timestamp`. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  // No foreign key: every publish would lock the team's row (16 publishers of one team share it as a multixact, the
  // largest PostgreSQL cost of publishing). Deleting a team deletes its events by a trigger (migration
  // WebhookCascadeTriggers); an event published while its team is being deleted is left without deliveries (the
  // endpoints are gone) and pruned by retention.
  @ManyToOne(() => Team, { createForeignKeyConstraints: false }) @JoinColumn({ name: 'team_id' }) team?: Team;
}
