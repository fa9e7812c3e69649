import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `webhook_delivery` loses its (event_id, endpoint_id) index: every publish and every record wrote it, and it only
 * served finding an event's deliveries — which the (endpoint_id, created_at) index does as well, since a delivery is
 * created with its event (same created_at, one per endpoint of the event's team). The event → deliveries cascade
 * trigger looks them up that way.
 */
export class WebhookDeliveryEventIndex1795665409569 implements MigrationInterface {
  name = 'WebhookDeliveryEventIndex1795665409569';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_9ed7554dd88c137ab0eab5c7f0"`);
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION webhook_cascade_event_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         DELETE FROM "webhook_delivery" d USING gone g, "webhook_endpoint" ep
         WHERE ep."team_id" = g."team_id" AND d."endpoint_id" = ep."id" AND d."created_at" = g."created_at" AND d."event_id" = g."id";
         RETURN NULL; END $$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION webhook_cascade_event_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM "webhook_delivery" WHERE "event_id" IN (SELECT "id" FROM gone); RETURN NULL; END $$`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_9ed7554dd88c137ab0eab5c7f0" ON "webhook_delivery" ("event_id", "endpoint_id") `);
  }
}
