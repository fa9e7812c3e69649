import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ApiKeyScope } from '../../../common/decorators';
import { Team } from '../../../teams/entities/team.entity';
import { User } from '../../../users/entities/user.entity';

/**
 * A team's API key. The key (`sb_…`) is shown once at creation; only its SHA-256 is stored, with the first characters
 * (`prefix`) kept so people can tell their keys apart. Revoked or expired keys stay listed until the team is deleted.
 */
@Entity('api_key')
@Index(['teamId', 'createdAt'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  /** `sb_` and the next 8 characters of the key: enough to recognize it, far too little to use it. */
  @Column({ type: 'varchar', length: 16 }) prefix: string;
  /** Hex SHA-256 of the whole key; never serialized. */
  @Column({ type: 'char', length: 64, unique: true, select: false }) keyHash: string;
  @Column({ type: 'enum', enum: ['read', 'write', 'admin'], enumName: 'api_key_scope', array: true }) scopes: ApiKeyScope[];
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) expiresAt: Date | null;
  /** Updated at most about once a minute per key. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastUsedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) revokedAt: Date | null;
  /** The user who created it; null when created by another key or when that user was deleted. */
  @Column({ type: 'uuid', nullable: true }) createdById: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => User, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'created_by_id' }) createdBy?: User | null;
}
