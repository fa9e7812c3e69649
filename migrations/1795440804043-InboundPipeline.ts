import { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundPipeline1795440804043 implements MigrationInterface {
  name = 'InboundPipeline1795440804043';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."conversation_status" AS ENUM('open', 'completed')`);
    await queryRunner.query(`CREATE TABLE "conversation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "connection_id" uuid, "platform" character varying(20) NOT NULL, "external_chat_id" character varying(200) NOT NULL, "external_thread_id" character varying(200), "status" "public"."conversation_status" NOT NULL DEFAULT 'open', "started_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "last_message_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP(3) WITH TIME ZONE, "metadata" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_864528ec4274360a40f66c29845" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_d6ac208ea3ff7914f8a6145c36" ON "conversation" ("status", "last_message_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_1fd908d667e4d33bcda6d8e50f" ON "conversation" ("agent_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_6ea9240947f0148ead1875446a" ON "conversation" ("connection_id", "external_chat_id", "external_thread_id", "status") `);
    await queryRunner.query(`CREATE TYPE "public"."message_role" AS ENUM('user', 'assistant', 'system')`);
    await queryRunner.query(`CREATE TABLE "message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" BIGSERIAL NOT NULL, "conversation_id" uuid NOT NULL, "role" "public"."message_role" NOT NULL, "content" text NOT NULL, "external_message_id" character varying(200), "sender" jsonb, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "metadata" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_ba01f0a3e0123651915008bc578" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_89ae36c51ba0354e94e987f324" ON "message" ("conversation_id", "seq") `);
    await queryRunner.query(`CREATE TABLE "agent_memory" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "conversation_id" uuid, "type" character varying(100) NOT NULL, "content" text NOT NULL, "importance" real, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d43006bd0306062da5c7aa3f00e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_7cf591b9329d4f3881cbe7788c" ON "agent_memory" ("agent_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."inbound_status" AS ENUM('received', 'processing', 'done', 'ignored', 'failed')`);
    await queryRunner.query(`CREATE TABLE "inbound_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" BIGSERIAL NOT NULL, "connection_id" uuid NOT NULL, "platform" character varying(20) NOT NULL, "dedupe_key" character varying(200) NOT NULL, "ordering_key" character varying(300) NOT NULL, "payload" jsonb NOT NULL, "received_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "status" "public"."inbound_status" NOT NULL DEFAULT 'received', "error" text, "attempts" integer NOT NULL DEFAULT '0', "not_before" TIMESTAMP(3) WITH TIME ZONE, "conversation_id" uuid, "reply_message_id" uuid, "processed_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_0c825a71c08c85b9760d57adf01" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_46d4f328a6bd6519bc6245ad33" ON "inbound_event" ("status", "received_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_85a127f519f295e459baa1a132" ON "inbound_event" ("connection_id", "ordering_key", "seq") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2398efedcbc01f517bb89b17a3" ON "inbound_event" ("connection_id", "dedupe_key") `);
    await queryRunner.query(`ALTER TABLE "agent" ADD "runtime_secrets_encrypted" text`);
    await queryRunner.query(`ALTER TABLE "conversation" ADD CONSTRAINT "FK_af92a8409460060955550ed2028" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "conversation" ADD CONSTRAINT "FK_13eb9a818a3879f4f38cc3ff11d" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "conversation" ADD CONSTRAINT "FK_51fc114f0f3b66445007e3cdc21" FOREIGN KEY ("connection_id") REFERENCES "platform_connection"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message" ADD CONSTRAINT "FK_7fe3e887d78498d9c9813375ce2" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_memory" ADD CONSTRAINT "FK_d970b1f54fd3fc05f5717ae1c6a" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "inbound_event" ADD CONSTRAINT "FK_72eaec181411530f53f88e4c52b" FOREIGN KEY ("connection_id") REFERENCES "platform_connection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_event" DROP CONSTRAINT "FK_72eaec181411530f53f88e4c52b"`);
    await queryRunner.query(`ALTER TABLE "agent_memory" DROP CONSTRAINT "FK_d970b1f54fd3fc05f5717ae1c6a"`);
    await queryRunner.query(`ALTER TABLE "message" DROP CONSTRAINT "FK_7fe3e887d78498d9c9813375ce2"`);
    await queryRunner.query(`ALTER TABLE "conversation" DROP CONSTRAINT "FK_51fc114f0f3b66445007e3cdc21"`);
    await queryRunner.query(`ALTER TABLE "conversation" DROP CONSTRAINT "FK_13eb9a818a3879f4f38cc3ff11d"`);
    await queryRunner.query(`ALTER TABLE "conversation" DROP CONSTRAINT "FK_af92a8409460060955550ed2028"`);
    await queryRunner.query(`ALTER TABLE "agent" DROP COLUMN "runtime_secrets_encrypted"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2398efedcbc01f517bb89b17a3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_85a127f519f295e459baa1a132"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_46d4f328a6bd6519bc6245ad33"`);
    await queryRunner.query(`DROP TABLE "inbound_event"`);
    await queryRunner.query(`DROP TYPE "public"."inbound_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7cf591b9329d4f3881cbe7788c"`);
    await queryRunner.query(`DROP TABLE "agent_memory"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_89ae36c51ba0354e94e987f324"`);
    await queryRunner.query(`DROP TABLE "message"`);
    await queryRunner.query(`DROP TYPE "public"."message_role"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6ea9240947f0148ead1875446a"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1fd908d667e4d33bcda6d8e50f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d6ac208ea3ff7914f8a6145c36"`);
    await queryRunner.query(`DROP TABLE "conversation"`);
    await queryRunner.query(`DROP TYPE "public"."conversation_status"`);
  }
}
