import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { Team } from '../../teams/entities/team.entity';

/** A platform's name (`telegram`, `slack`…): the ConnectorRegistry knows which exist (src/integrations/index.ts). */
export type Platform = string;
export const CONNECTION_STATUSES = ['active', 'paused', 'error', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

@Entity('platform_connection')
@Index(['agentId', 'platform'], { unique: true })
@Index(['teamId', 'status'])
@Index(['platform', 'externalBotId'])
export class PlatformConnection {
  /** Assigned by us before insert: the id is part of the credentials' authenticated data. */
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column('uuid') agentId: string;
  /** Text, checked against the ConnectorRegistry by the API: a new platform needs no migration. */
  @Column({ type: 'text' }) platform: Platform;
  /** CredentialCipher envelope of the credentials JSON (AAD: platform_connection/<id>/credentials). */
  @Column({ type: 'text' }) credentialsEncrypted: string;
  /** Non-secret masked hints shown in responses, e.g. {"botToken": "…Xy9Q"}. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) credentialHints: Record<string, string>;
  @Column({ type: 'varchar', length: 500, nullable: true }) webhookUrl: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) externalBotId: string | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) displayName: string | null;
  @Column({ type: 'enum', enum: CONNECTION_STATUSES, enumName: 'connection_status', default: 'active' }) status: ConnectionStatus;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastEventAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastCheckedAt: Date | null;
  @Column({ type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ type: 'int', default: 0 }) consecutiveFailures: number;
  /** Non-secret options chosen by the admin (validated per platform). */
  @Column({ type: 'jsonb', default: () => "'{}'" }) settings: Record<string, unknown>;
  /** Facts learned from the platform (bot username, workspace id, app slug…). Non-secret. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) platformInfo: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'agent_id' }) agent?: Agent;
}
