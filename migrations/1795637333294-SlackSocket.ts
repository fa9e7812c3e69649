import { MigrationInterface, QueryRunner } from 'typeorm';

export class SlackSocket1795637333294 implements MigrationInterface {
  name = 'SlackSocket1795637333294';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "slack_socket" ("connection_id" uuid NOT NULL, "holder" character varying(120) NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "connected" boolean NOT NULL DEFAULT false, "changed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, CONSTRAINT "PK_31b24f7dc62262feb556b1e708b" PRIMARY KEY ("connection_id"))`);
    await queryRunner.query(`ALTER TABLE "slack_socket" ADD CONSTRAINT "FK_31b24f7dc62262feb556b1e708b" FOREIGN KEY ("connection_id") REFERENCES "platform_connection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "slack_socket" DROP CONSTRAINT "FK_31b24f7dc62262feb556b1e708b"`);
    await queryRunner.query(`DROP TABLE "slack_socket"`);
  }
}
