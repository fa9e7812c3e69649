import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentJobs1795632601348 implements MigrationInterface {
  name = 'AgentJobs1795632601348';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "agent_job" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "schedule" character varying(200) NOT NULL, "timezone" character varying(64) NOT NULL, "prompt" text NOT NULL, "deliver_to" jsonb, "enabled" boolean NOT NULL DEFAULT true, "next_run_at" TIMESTAMP(3) WITH TIME ZONE, "last_run_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_da119212b8dd0ee7b52ebbe4791" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "agent_job_due" ON "agent_job" ("next_run_at") WHERE enabled`);
    await queryRunner.query(`CREATE INDEX "IDX_33164c2ec88ed89df6cf349351" ON "agent_job" ("agent_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."agent_job_run_trigger" AS ENUM('schedule', 'manual')`);
    await queryRunner.query(`CREATE TYPE "public"."agent_job_run_status" AS ENUM('pending', 'running', 'completed', 'failed')`);
    await queryRunner.query(`CREATE TABLE "agent_job_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "job_id" uuid NOT NULL, "team_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "scheduled_for" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "trigger" "public"."agent_job_run_trigger" NOT NULL, "status" "public"."agent_job_run_status" NOT NULL, "reply" text, "error" text, "attempts" integer NOT NULL DEFAULT '0', "conversation_id" uuid, "message_id" uuid, "delivered_message_id" uuid, "started_at" TIMESTAMP(3) WITH TIME ZONE, "finished_at" TIMESTAMP(3) WITH TIME ZONE, "duration_ms" integer, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1766cc9782e90bc77aeae925c31" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "agent_job_run_pending" ON "agent_job_run" ("created_at") WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX "IDX_6ff1db007c484ab4da241989e3" ON "agent_job_run" ("job_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1edc79b78050a51a6b04bb6804" ON "agent_job_run" ("job_id", "scheduled_for") `);
    await queryRunner.query(`ALTER TABLE "agent_job" ADD CONSTRAINT "FK_9428f7e57467bd37acc6f206eb7" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_job" ADD CONSTRAINT "FK_5d927920b1c8bf6f0b22ca79f64" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_job_run" ADD CONSTRAINT "FK_502213076013b54d78c6b01c086" FOREIGN KEY ("job_id") REFERENCES "agent_job"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_job_run" DROP CONSTRAINT "FK_502213076013b54d78c6b01c086"`);
    await queryRunner.query(`ALTER TABLE "agent_job" DROP CONSTRAINT "FK_5d927920b1c8bf6f0b22ca79f64"`);
    await queryRunner.query(`ALTER TABLE "agent_job" DROP CONSTRAINT "FK_9428f7e57467bd37acc6f206eb7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1edc79b78050a51a6b04bb6804"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6ff1db007c484ab4da241989e3"`);
    await queryRunner.query(`DROP INDEX "public"."agent_job_run_pending"`);
    await queryRunner.query(`DROP TABLE "agent_job_run"`);
    await queryRunner.query(`DROP TYPE "public"."agent_job_run_status"`);
    await queryRunner.query(`DROP TYPE "public"."agent_job_run_trigger"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_33164c2ec88ed89df6cf349351"`);
    await queryRunner.query(`DROP INDEX "public"."agent_job_due"`);
    await queryRunner.query(`DROP TABLE "agent_job"`);
  }
}
