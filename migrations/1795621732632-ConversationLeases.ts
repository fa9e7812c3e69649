import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConversationLeases1795621732632 implements MigrationInterface {
  name = 'ConversationLeases1795621732632';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "conversation_lease" ("key" character varying(400) NOT NULL, "holder" character varying(120) NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "wake" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_b41d604675953749be6f717631a" PRIMARY KEY ("key"))`);
    await queryRunner.query(`ALTER TABLE "inbound_event" ADD "agent_attempts" integer NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_event" DROP COLUMN "agent_attempts"`);
    await queryRunner.query(`DROP TABLE "conversation_lease"`);
  }
}
