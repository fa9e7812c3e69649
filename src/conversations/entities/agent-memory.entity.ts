import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';

/** Something an `http` runtime asked us to remember (returned as `memories` beside its reply). */
@Entity('agent_memory')
@Index(['agentId', 'createdAt'])
export class AgentMemory {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column('uuid') agentId: string;
  @Column({ type: 'uuid', nullable: true }) conversationId: string | null;
  @Column({ type: 'varchar', length: 100 }) type: string;
  @Column({ type: 'text' }) content: string;
  @Column({ type: 'real', nullable: true }) importance: number | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'agent_id' }) agent?: Agent;
}
