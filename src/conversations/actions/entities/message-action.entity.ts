import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ReplyAction } from '../../../agents/runtimes/runtime.types';
import { Message } from '../../entities/message.entity';

export type MessageActionStatus = 'pending' | 'decided' | 'expired';

export interface ActionUser {
  id: string;
  name?: string;
  username?: string;
}

/**
 * The buttons under one agent reply (a runtime's `actions`), and — for an approval — who may decide and until when.
 * Platforms get only an opaque token (`<id>.<index>`) in each button; a click is mapped back here. The set is decided
 * once (a conditional UPDATE): the first valid click wins, later ones are answered politely and change nothing.
 */
@Entity('message_action')
@Index('IDX_message_action_expiry', ['expiresAt'], { where: `status = 'pending' AND expires_at IS NOT NULL` })
export class MessageAction {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') teamId: string;
  @Column('uuid') agentId: string;
  @Column('uuid') connectionId: string;
  @Column('uuid') conversationId: string;
  /** The reply that carries the buttons (one set per reply). */
  @Index({ unique: true }) @Column('uuid') messageId: string;
  @Column({ type: 'varchar', length: 32 }) platform: string;
  @Column({ type: 'varchar', length: 200 }) chatId: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) threadId: string | null;
  /** The platform message the buttons are on (set once it was sent). */
  @Column({ type: 'varchar', length: 200, nullable: true }) externalMessageId: string | null;
  /** The reply's Markdown, to redraw it without buttons when decided. */
  @Column({ type: 'text' }) text: string;
  @Column({ type: 'jsonb' }) actions: ReplyAction[];
  @Column({ type: 'boolean', default: false }) isApproval: boolean;
  /** Platform user ids allowed to decide; null: anyone in the chat. */
  @Column({ type: 'jsonb', nullable: true }) approvers: string[] | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) expiresAt: Date | null;
  @Column({ type: 'enum', enum: ['pending', 'decided', 'expired'], enumName: 'message_action_status', default: 'pending' }) status: MessageActionStatus;
  @Column({ type: 'varchar', length: 64, nullable: true }) decidedActionId: string | null;
  @Column({ type: 'jsonb', nullable: true }) decidedBy: ActionUser | null;
  /** The inbound event (the click) that decided: a retry of that event finds its own decision. */
  @Column({ type: 'uuid', nullable: true }) decidedEventId: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) decidedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'message_id' }) message?: Message;
}
