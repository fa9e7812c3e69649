import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TeamRole } from '../../common/decorators';
import { User } from '../../users/entities/user.entity';
import { Team } from './team.entity';

@Entity('team_member')
@Index(['userId'])
export class TeamMember {
  @PrimaryColumn('uuid') teamId: string;
  @PrimaryColumn('uuid') userId: string;
  @Column({ type: 'enum', enum: ['owner', 'admin', 'member'], enumName: 'team_role' }) role: TeamRole;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: User;
}
