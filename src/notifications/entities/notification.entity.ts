import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Team } from '../../teams/entities/team.entity';

/** Something a team's owners and admins should know about (an endpoint failing or disabled, …). */
@Entity('notification')
@Index(['teamId', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  /** e.g. `webhook_endpoint.failing`, `webhook_endpoint.disabled`. */
  @Column({ type: 'varchar', length: 100 }) type: string;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) data: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
}
