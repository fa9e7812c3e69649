import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PlatformConnection } from '../../../connections/entities/platform-connection.entity';

/**
 * A Slack connection in Socket Mode: which worker holds its WebSocket (a lease — holder and expiry, taken, renewed and
 * released in single statements, so no database connection is held while the socket is open) and whether the socket
 * is connected right now (shown by the connection's health). A holder that dies stops renewing; another worker takes
 * the socket once `expiresAt` passes.
 */
@Entity('slack_socket')
export class SlackSocket {
  @PrimaryColumn('uuid') connectionId: string;
  @Column({ type: 'varchar', length: 120 }) holder: string;
  @Column({ type: 'timestamptz', precision: 3 }) expiresAt: Date;
  /** The holder's socket said hello and has not closed since. */
  @Column({ type: 'boolean', default: false }) connected: boolean;
  /** When `connected` last changed. */
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) changedAt: Date;
  /** Why the last attempt to connect failed (no secrets), cleared by the next hello. */
  @Column({ type: 'text', nullable: true }) lastError: string | null;

  @ManyToOne(() => PlatformConnection, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'connection_id' }) connection?: PlatformConnection;
}
