import { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundBodyHash1795620412309 implements MigrationInterface {
  name = 'InboundBodyHash1795620412309';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_event" ADD "body_hash" bytea`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_inbound_event_body_hash" ON "inbound_event" ("connection_id", "body_hash") WHERE "body_hash" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_inbound_event_body_hash"`);
    await queryRunner.query(`ALTER TABLE "inbound_event" DROP COLUMN "body_hash"`);
  }
}
