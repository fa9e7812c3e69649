import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ConnectionStatus, PlatformConnection } from './platform-connection.entity';

/** History of a connection's status: who moved it where, and why. */
@Entity('connection_status_change')
@Index(['connectionId', 'createdAt'])
export class ConnectionStatusChange {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') connectionId: string;
  @Column('uuid') teamId: string;
  @Column({ type: 'varchar', length: 20 }) fromStatus: ConnectionStatus;
  @Column({ type: 'varchar', length: 20 }) toStatus: ConnectionStatus;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;

  @ManyToOne(() => PlatformConnection, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'connection_id' }) connection?: PlatformConnection;
}
