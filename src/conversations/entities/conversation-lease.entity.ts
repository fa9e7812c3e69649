import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Who works on a conversation right now (DESIGN §3). Taken and released in single short statements — no database
 * connection is held while the holder calls the agent or the platform — and renewed while the holder works; a holder
 * that dies stops renewing, and its conversations resume on another worker once `expiresAt` passes.
 */
@Entity('conversation_lease')
export class ConversationLease {
  /** `inbound:<connectionId>:<orderingKey>` for platform conversations, `chat:<conversationId>` for the chat API. */
  @PrimaryColumn({ type: 'varchar', length: 400 }) key: string;
  @Column({ type: 'varchar', length: 120 }) holder: string;
  @Column({ type: 'timestamptz', precision: 3 }) expiresAt: Date;
  /** Someone was turned away while the holder worked: the holder looks for new events once more before it leaves. */
  @Column({ type: 'boolean', default: false }) wake: boolean;
}
