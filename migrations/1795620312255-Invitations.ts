import { MigrationInterface, QueryRunner } from 'typeorm';

export class Invitations1795620312255 implements MigrationInterface {
  name = 'Invitations1795620312255';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "invitation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "email" character varying(320) NOT NULL, "role" "public"."team_role" NOT NULL, "token_hash" character(64) NOT NULL, "invited_by_id" uuid, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "accepted_at" TIMESTAMP(3) WITH TIME ZONE, "accepted_by_id" uuid, "revoked_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_b827d3749ffbb3b5ab5099afd64" UNIQUE ("token_hash"), CONSTRAINT "PK_beb994737756c0f18a1c1f8669c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_bcb0a0d2333443083582a05cdd" ON "invitation" ("email") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_invitation_open_team_email" ON "invitation" ("team_id", "email") WHERE accepted_at IS NULL AND revoked_at IS NULL`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD CONSTRAINT "FK_e252ae8906b8e70c59c65e4dcbe" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD CONSTRAINT "FK_9fcebfddfa4369ac0e3c26dc8a3" FOREIGN KEY ("invited_by_id") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD CONSTRAINT "FK_0872e6c53a6f9802024886143b7" FOREIGN KEY ("accepted_by_id") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitation" DROP CONSTRAINT "FK_0872e6c53a6f9802024886143b7"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP CONSTRAINT "FK_9fcebfddfa4369ac0e3c26dc8a3"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP CONSTRAINT "FK_e252ae8906b8e70c59c65e4dcbe"`);
    await queryRunner.query(`DROP INDEX "public"."idx_invitation_open_team_email"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bcb0a0d2333443083582a05cdd"`);
    await queryRunner.query(`DROP TABLE "invitation"`);
  }
}
