import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('user')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Stored lower-cased; unique. */
  @Column({ type: 'varchar', length: 320, unique: true }) email: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  /** scrypt hash, never serialized. */
  @Column({ type: 'varchar', length: 255, select: false }) passwordHash: string;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', precision: 3 }) updatedAt: Date;
}
