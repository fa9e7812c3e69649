import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795438580351 implements MigrationInterface {
  name = 'Init1795438580351';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "team" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f57d8293406df4af348402e4b74" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TYPE "public"."agent_status" AS ENUM('active', 'paused', 'archived')`);
    await queryRunner.query(`CREATE TABLE "agent" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "slug" character varying(100) NOT NULL, "description" text, "status" "public"."agent_status" NOT NULL DEFAULT 'active', "runtime" jsonb NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1000e989398c5d4ed585cf9a46f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_2300daf0a08060c16b3b3c0ac9" ON "agent" ("team_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_675f57358ac06458fc0fb68a1c" ON "agent" ("team_id", "slug") `);
    await queryRunner.query(`CREATE TABLE "user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "name" character varying(200), "password_hash" character varying(255) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e12875dfb3b1d92d7d7c5377e22" UNIQUE ("email"), CONSTRAINT "PK_cace4a159ff9f2512dd42373760" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TYPE "public"."team_role" AS ENUM('owner', 'admin', 'member')`);
    await queryRunner.query(`CREATE TABLE "team_member" ("team_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" "public"."team_role" NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34169355c6d1744228f5bb75549" PRIMARY KEY ("team_id", "user_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_0724b86622f89c433dee4cd8b1" ON "team_member" ("user_id") `);
    await queryRunner.query(`ALTER TABLE "agent" ADD CONSTRAINT "FK_41677b17f58970c45f0f5092481" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_member" ADD CONSTRAINT "FK_a1b5b4f5fa1b7f890d0a278748b" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_member" ADD CONSTRAINT "FK_0724b86622f89c433dee4cd8b17" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "team_member" DROP CONSTRAINT "FK_0724b86622f89c433dee4cd8b17"`);
    await queryRunner.query(`ALTER TABLE "team_member" DROP CONSTRAINT "FK_a1b5b4f5fa1b7f890d0a278748b"`);
    await queryRunner.query(`ALTER TABLE "agent" DROP CONSTRAINT "FK_41677b17f58970c45f0f5092481"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0724b86622f89c433dee4cd8b1"`);
    await queryRunner.query(`DROP TABLE "team_member"`);
    await queryRunner.query(`DROP TYPE "public"."team_role"`);
    await queryRunner.query(`DROP TABLE "user"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_675f57358ac06458fc0fb68a1c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2300daf0a08060c16b3b3c0ac9"`);
    await queryRunner.query(`DROP TABLE "agent"`);
    await queryRunner.query(`DROP TYPE "public"."agent_status"`);
    await queryRunner.query(`DROP TABLE "team"`);
  }
}
