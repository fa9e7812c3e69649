import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Team } from '../../teams/entities/team.entity';
import type { TranscriptionSettings } from '../transcription/transcription-config';

export type AgentStatus = 'active' | 'paused' | 'archived';
export const AGENT_STATUSES: AgentStatus[] = ['active', 'paused', 'archived'];

/** How the agent produces replies: `echo`, `openai` (any OpenAI-compatible API) or `http` (the team's own URL). */
export interface AgentRuntime {
  type: string;
  [key: string]: unknown;
}

@Entity('agent')
@Index(['teamId', 'slug'], { unique: true })
@Index(['teamId', 'createdAt'])
export class Agent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'varchar', length: 100 }) slug: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'enum', enum: AGENT_STATUSES, enumName: 'agent_status', default: 'active' }) status: AgentStatus;
  /** Non-secret runtime settings; secret fields appear here only as masked hints ("…abcd"). */
  @Column({ type: 'jsonb' }) runtime: AgentRuntime;
  /** CredentialCipher envelope of the runtime's secrets (apiKey, signing secret); never serialized. */
  @Column({ type: 'text', nullable: true, select: false }) runtimeSecretsEncrypted?: string | null;
  /** Speech-to-text for voice notes (an OpenAI-compatible /audio/transcriptions); the key only as a masked hint. */
  @Column({ type: 'jsonb', nullable: true }) transcription: TranscriptionSettings | null;
  /** CredentialCipher envelope of the transcription API key; never serialized. */
  @Column({ type: 'text', nullable: true, select: false }) transcriptionKeyEncrypted?: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
}
