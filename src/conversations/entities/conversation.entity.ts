import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { Team } from '../../teams/entities/team.entity';

export type ConversationStatus = 'open' | 'completed';

@Entity('conversation')
@Index(['connectionId', 'externalChatId', 'externalThreadId', 'status'])
@Index(['agentId', 'createdAt'])
@Index(['status', 'lastMessageAt'])
export class Conversation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column('uuid') agentId: string;
  /** Null for conversations started through the admin chat API. */
  @Column({ type: 'uuid', nullable: true }) connectionId: string | null;
  /** telegram | slack | github | api */
  @Column({ type: 'varchar', length: 20 }) platform: string;
  @Column({ type: 'varchar', length: 200 }) externalChatId: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) externalThreadId: string | null;
  @Column({ type: 'enum', enum: ['open', 'completed'], enumName: 'conversation_status', default: 'open' }) status: ConversationStatus;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) startedAt: Date;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) lastMessageAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) completedAt: Date | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) metadata: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'agent_id' }) agent?: Agent;
  @ManyToOne(() => PlatformConnection, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'connection_id' }) connection?: PlatformConnection;
}
