import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeysAndAudit1795624689412 implements MigrationInterface {
  name = 'ApiKeysAndAudit1795624689412';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."audit_actor_type" AS ENUM('user', 'api_key', 'cli')`);
    await queryRunner.query(`CREATE TABLE "audit_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid, "actor_type" "public"."audit_actor_type" NOT NULL, "actor_id" uuid, "action" character varying(100) NOT NULL, "target_type" character varying(50), "target_id" character varying(200), "before" jsonb, "after" jsonb, "request_id" character varying(128), "client_ip" character varying(64), "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_706a5b14d1df684054d123efc7" ON "audit_event" ("created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_09a4667879306573cbf5e0c40d" ON "audit_event" ("team_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."api_key_scope" AS ENUM('read', 'write', 'admin')`);
    await queryRunner.query(`CREATE TABLE "api_key" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character(64) NOT NULL, "scopes" "public"."api_key_scope" array NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "last_used_at" TIMESTAMP(3) WITH TIME ZONE, "revoked_at" TIMESTAMP(3) WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3c9751d2a6011ba13e27838105e" UNIQUE ("key_hash"), CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_3ccc99eadd4abeafcff4ff0f24" ON "api_key" ("team_id", "created_at") `);
    await queryRunner.query(`ALTER TABLE "api_key" ADD CONSTRAINT "FK_0f2d7599d3ca286eef156685c5f" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_key" ADD CONSTRAINT "FK_1799b360b8b068fa98feb7bef75" FOREIGN KEY ("created_by_id") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_key" DROP CONSTRAINT "FK_1799b360b8b068fa98feb7bef75"`);
    await queryRunner.query(`ALTER TABLE "api_key" DROP CONSTRAINT "FK_0f2d7599d3ca286eef156685c5f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3ccc99eadd4abeafcff4ff0f24"`);
    await queryRunner.query(`DROP TABLE "api_key"`);
    await queryRunner.query(`DROP TYPE "public"."api_key_scope"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_09a4667879306573cbf5e0c40d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_706a5b14d1df684054d123efc7"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP TYPE "public"."audit_actor_type"`);
  }
}
