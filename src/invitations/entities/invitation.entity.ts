import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { TeamRole } from '../../common/decorators';
import { Team } from '../../teams/entities/team.entity';
import { User } from '../../users/entities/user.entity';

/**
 * An invitation to join a team with a role, addressed to an email. The token is shown once to the inviter and only
 * its SHA-256 is stored. Open = neither accepted nor revoked (an open row may still be expired); at most one open
 * invitation per team and email — inviting again revokes the previous one.
 */
@Entity('invitation')
@Index('idx_invitation_open_team_email', ['teamId', 'email'], { unique: true, where: 'accepted_at IS NULL AND revoked_at IS NULL' })
@Index(['email'])
export class Invitation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  /** Stored lower-cased. */
  @Column({ type: 'varchar', length: 320 }) email: string;
  @Column({ type: 'enum', enum: ['owner', 'admin', 'member'], enumName: 'team_role' }) role: TeamRole;
  /** Hex SHA-256 of the token; never serialized. */
  @Column({ type: 'char', length: 64, unique: true, select: false }) tokenHash: string;
  @Column({ type: 'uuid', nullable: true }) invitedById: string | null;
  @Column({ type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) acceptedById: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => User, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'invited_by_id' }) invitedBy?: User | null;
  @ManyToOne(() => User, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'accepted_by_id' }) acceptedBy?: User | null;
}
