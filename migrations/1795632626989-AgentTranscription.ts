import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentTranscription1795632626989 implements MigrationInterface {
  name = 'AgentTranscription1795632626989';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent" ADD "transcription" jsonb`);
    await queryRunner.query(`ALTER TABLE "agent" ADD "transcription_key_encrypted" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent" DROP COLUMN "transcription_key_encrypted"`);
    await queryRunner.query(`ALTER TABLE "agent" DROP COLUMN "transcription"`);
  }
}
