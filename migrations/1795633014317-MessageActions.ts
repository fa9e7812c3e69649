import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessageActions1795633014317 implements MigrationInterface {
  name = 'MessageActions1795633014317';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."message_action_status" AS ENUM('pending', 'decided', 'expired')`);
    await queryRunner.query(`CREATE TABLE "message_action" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "connection_id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "message_id" uuid NOT NULL, "platform" character varying(32) NOT NULL, "chat_id" character varying(200) NOT NULL, "thread_id" character varying(200), "external_message_id" character varying(200), "text" text NOT NULL, "actions" jsonb NOT NULL, "is_approval" boolean NOT NULL DEFAULT false, "approvers" jsonb, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "status" "public"."message_action_status" NOT NULL DEFAULT 'pending', "decided_action_id" character varying(64), "decided_by" jsonb, "decided_event_id" uuid, "decided_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a2ef74bd0af84a56c9d97c74383" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_0b56af8058110bb1537e8f46d1" ON "message_action" ("message_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_message_action_expiry" ON "message_action" ("expires_at") WHERE status = 'pending' AND expires_at IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "message_action" ADD CONSTRAINT "FK_0b56af8058110bb1537e8f46d15" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_action" DROP CONSTRAINT "FK_0b56af8058110bb1537e8f46d15"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_message_action_expiry"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0b56af8058110bb1537e8f46d1"`);
    await queryRunner.query(`DROP TABLE "message_action"`);
    await queryRunner.query(`DROP TYPE "public"."message_action_status"`);
  }
}
