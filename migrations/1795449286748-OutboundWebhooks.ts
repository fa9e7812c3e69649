import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboundWebhooks1795449286748 implements MigrationInterface {
  name = 'OutboundWebhooks1795449286748';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_event" ("id" character varying(40) NOT NULL, "team_id" uuid NOT NULL, "type" character varying(100) NOT NULL, "data" jsonb NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0f56d2f40f5ec823acf8e8edad1" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_1f2c0f9384c31eefb506463982" ON "webhook_event" ("team_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."webhook_endpoint_status" AS ENUM('active', 'failing', 'disabled')`);
    await queryRunner.query(`CREATE TABLE "webhook_endpoint" ("id" uuid NOT NULL, "team_id" uuid NOT NULL, "url" character varying(2000) NOT NULL, "description" character varying(500), "event_types" text array, "status" "public"."webhook_endpoint_status" NOT NULL DEFAULT 'active', "status_reason" text, "secret_encrypted" text NOT NULL, "previous_secret_encrypted" text, "previous_secret_expires_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6c98112122b2b8a4f3984d2efa8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_49ae7228b66ef6006eecfbe1bf" ON "webhook_endpoint" ("team_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'delivered', 'failed', 'skipped')`);
    await queryRunner.query(`CREATE TABLE "webhook_delivery" ("id" uuid NOT NULL, "team_id" uuid NOT NULL, "event_id" character varying(40) NOT NULL, "endpoint_id" uuid NOT NULL, "event_type" character varying(100) NOT NULL, "status" "public"."webhook_delivery_status" NOT NULL DEFAULT 'pending', "attempt_count" integer NOT NULL DEFAULT '0', "round_attempts" integer NOT NULL DEFAULT '0', "round_started_at" TIMESTAMP(3) WITH TIME ZONE, "next_attempt_at" TIMESTAMP(3) WITH TIME ZONE, "lease_until" TIMESTAMP(3) WITH TIME ZONE, "last_attempt_at" TIMESTAMP(3) WITH TIME ZONE, "last_status_code" integer, "last_error_code" character varying(20), "delivered_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "idx_webhook_delivery_delivered" ON "webhook_delivery" ("delivered_at") WHERE status = 'delivered'`);
    await queryRunner.query(`CREATE INDEX "idx_webhook_delivery_due" ON "webhook_delivery" ("next_attempt_at") WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX "IDX_e5d8cd6dd4dea3a47de2166f10" ON "webhook_delivery" ("endpoint_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_9ed7554dd88c137ab0eab5c7f0" ON "webhook_delivery" ("event_id", "endpoint_id") `);
    await queryRunner.query(`CREATE TABLE "webhook_attempt" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "delivery_id" uuid NOT NULL, "attempt_number" integer NOT NULL, "request_headers" jsonb NOT NULL, "status_code" integer, "response_body" text, "duration_ms" integer NOT NULL, "error_code" character varying(20), "error_message" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e4ff77b66cdd20591ba6189a1f9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_e8e173936a1d24698c7f369a24" ON "webhook_attempt" ("delivery_id", "attempt_number") `);
    await queryRunner.query(`CREATE TABLE "notification" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "type" character varying(100) NOT NULL, "message" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_705b6c7cdf9b2c2ff7ac7872cb7" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_654b62b2948ba232f52d78300a" ON "notification" ("team_id", "created_at") `);
    await queryRunner.query(`ALTER TABLE "webhook_event" ADD CONSTRAINT "FK_1c8d86909168f4c1224b620caf5" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "FK_f8e0382d367307193a2ea9e5226" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_b723a573cd78b4cff3404153ad1" FOREIGN KEY ("event_id") REFERENCES "webhook_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_f53f5aec02217a54927b13e39d9" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_attempt" ADD CONSTRAINT "FK_d7ed48c4841159bfd6bdee166ea" FOREIGN KEY ("delivery_id") REFERENCES "webhook_delivery"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notification" ADD CONSTRAINT "FK_7b11324dc695fe6f8b4c1388af0" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification" DROP CONSTRAINT "FK_7b11324dc695fe6f8b4c1388af0"`);
    await queryRunner.query(`ALTER TABLE "webhook_attempt" DROP CONSTRAINT "FK_d7ed48c4841159bfd6bdee166ea"`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_f53f5aec02217a54927b13e39d9"`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_b723a573cd78b4cff3404153ad1"`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoint" DROP CONSTRAINT "FK_f8e0382d367307193a2ea9e5226"`);
    await queryRunner.query(`ALTER TABLE "webhook_event" DROP CONSTRAINT "FK_1c8d86909168f4c1224b620caf5"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_654b62b2948ba232f52d78300a"`);
    await queryRunner.query(`DROP TABLE "notification"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e8e173936a1d24698c7f369a24"`);
    await queryRunner.query(`DROP TABLE "webhook_attempt"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9ed7554dd88c137ab0eab5c7f0"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e5d8cd6dd4dea3a47de2166f10"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_delivery_due"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_delivery_delivered"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery"`);
    await queryRunner.query(`DROP TYPE "public"."webhook_delivery_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_49ae7228b66ef6006eecfbe1bf"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoint"`);
    await queryRunner.query(`DROP TYPE "public"."webhook_endpoint_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1f2c0f9384c31eefb506463982"`);
    await queryRunner.query(`DROP TABLE "webhook_event"`);
  }
}
