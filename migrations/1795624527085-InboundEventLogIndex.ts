import { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundEventLogIndex1795624527085 implements MigrationInterface {
  name = 'InboundEventLogIndex1795624527085';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_ac7f8e5081a3d208ecc6bd5bf1" ON "inbound_event" ("connection_id", "received_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_ac7f8e5081a3d208ecc6bd5bf1"`);
  }
}
