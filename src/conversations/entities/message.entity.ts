import { Column, CreateDateColumn, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Conversation } from './conversation.entity';

export type MessageRole = 'user' | 'assistant' | 'system';

export interface MessageSender {
  id: string;
  name?: string;
  username?: string;
  isBot?: boolean;
}

@Entity('message')
@Index(['conversationId', 'seq'])
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Insertion order (timestamps can tie within a millisecond). */
  @Column({ type: 'bigint' }) @Generated('increment') seq: string;
  @Column('uuid') conversationId: string;
  @Column({ type: 'enum', enum: ['user', 'assistant', 'system'], enumName: 'message_role' }) role: MessageRole;
  @Column({ type: 'text' }) content: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) externalMessageId: string | null;
  @Column({ type: 'jsonb', nullable: true }) sender: MessageSender | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  /** Attachments (file ids, mime, size), the inbound event id, delivery details. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) metadata: Record<string, unknown>;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'conversation_id' }) conversation?: Conversation;
}
