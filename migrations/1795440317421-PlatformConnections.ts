import { MigrationInterface, QueryRunner } from 'typeorm';

export class PlatformConnections1795440317421 implements MigrationInterface {
  name = 'PlatformConnections1795440317421';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."platform" AS ENUM('telegram', 'slack', 'github', 'discord', 'whatsapp')`);
    await queryRunner.query(`CREATE TYPE "public"."connection_status" AS ENUM('active', 'paused', 'error', 'disconnected')`);
    await queryRunner.query(`CREATE TABLE "platform_connection" ("id" uuid NOT NULL, "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "platform" "public"."platform" NOT NULL, "credentials_encrypted" text NOT NULL, "credential_hints" jsonb NOT NULL DEFAULT '{}', "webhook_url" character varying(500), "external_bot_id" character varying(200), "display_name" character varying(300), "status" "public"."connection_status" NOT NULL DEFAULT 'active', "last_event_at" TIMESTAMP(3) WITH TIME ZONE, "last_checked_at" TIMESTAMP(3) WITH TIME ZONE, "error_message" text, "consecutive_failures" integer NOT NULL DEFAULT '0', "settings" jsonb NOT NULL DEFAULT '{}', "platform_info" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3cb127050cdbb84f37b54eba437" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_a0c8c4baffa5139fa3fcf71700" ON "platform_connection" ("platform", "external_bot_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_6beee4a8ae99bf368593ae1945" ON "platform_connection" ("team_id", "status") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_09f8c2eec0465edb065bc3ab97" ON "platform_connection" ("agent_id", "platform") `);
    await queryRunner.query(`CREATE TABLE "connection_status_change" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "team_id" uuid NOT NULL, "from_status" character varying(20) NOT NULL, "to_status" character varying(20) NOT NULL, "reason" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0ff783a384fb46f44ee7d1b1c2c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_9ae116a9c1f8a9258e67c6b4d8" ON "connection_status_change" ("connection_id", "created_at") `);
    await queryRunner.query(`ALTER TABLE "platform_connection" ADD CONSTRAINT "FK_d8c23e578002e112244e44ac2b3" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "platform_connection" ADD CONSTRAINT "FK_ceffcc031265574055563c16ce4" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "connection_status_change" ADD CONSTRAINT "FK_e49c51e5ebae64470e0b8697bd5" FOREIGN KEY ("connection_id") REFERENCES "platform_connection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "connection_status_change" DROP CONSTRAINT "FK_e49c51e5ebae64470e0b8697bd5"`);
    await queryRunner.query(`ALTER TABLE "platform_connection" DROP CONSTRAINT "FK_ceffcc031265574055563c16ce4"`);
    await queryRunner.query(`ALTER TABLE "platform_connection" DROP CONSTRAINT "FK_d8c23e578002e112244e44ac2b3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9ae116a9c1f8a9258e67c6b4d8"`);
    await queryRunner.query(`DROP TABLE "connection_status_change"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_09f8c2eec0465edb065bc3ab97"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6beee4a8ae99bf368593ae1945"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a0c8c4baffa5139fa3fcf71700"`);
    await queryRunner.query(`DROP TABLE "platform_connection"`);
    await queryRunner.query(`DROP TYPE "public"."connection_status"`);
    await queryRunner.query(`DROP TYPE "public"."platform"`);
  }
}
