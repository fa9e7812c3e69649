import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhook tables' hot foreign keys become cascade triggers. Every publish checked `webhook_event.team_id` and
 * `webhook_delivery.endpoint_id` by locking the team's and the endpoint's row: concurrent publishers of one team share
 * those locks as multixacts, the largest PostgreSQL cost of publishing at fan-out 1. Deliveries are only inserted by the
 * publish statement, with their event and after reading the endpoints FOR KEY SHARE, so the checks only repeated what
 * the statement already ensures. What the foreign keys also did — delete the rows with their parent — is kept by
 * statement-level triggers (one DELETE per deleting statement, whatever the number of rows).
 */
export class WebhookCascadeTriggers1795663765738 implements MigrationInterface {
  name = 'WebhookCascadeTriggers1795663765738';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_event" DROP CONSTRAINT "FK_1c8d86909168f4c1224b620caf5"`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_b723a573cd78b4cff3404153ad1"`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_f53f5aec02217a54927b13e39d9"`);
    for (const [name, parent, sql] of CASCADES) {
      await queryRunner.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${sql}; RETURN NULL; END $$`);
      await queryRunner.query(`CREATE TRIGGER ${name} AFTER DELETE ON "${parent}" REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name, parent] of CASCADES) {
      await queryRunner.query(`DROP TRIGGER ${name} ON "${parent}"`);
      await queryRunner.query(`DROP FUNCTION ${name}()`);
    }
    // rows a foreign key would have refused (an event published while its team was being deleted)
    await queryRunner.query(`DELETE FROM "webhook_event" e WHERE NOT EXISTS (SELECT 1 FROM "team" t WHERE t."id" = e."team_id")`);
    await queryRunner.query(`DELETE FROM "webhook_delivery" d WHERE NOT EXISTS (SELECT 1 FROM "webhook_event" e WHERE e."id" = d."event_id")`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_f53f5aec02217a54927b13e39d9" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_b723a573cd78b4cff3404153ad1" FOREIGN KEY ("event_id") REFERENCES "webhook_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_event" ADD CONSTRAINT "FK_1c8d86909168f4c1224b620caf5" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }
}

/** [function and trigger name, parent table, what deleting parent rows (the transition table `gone`) deletes]. */
const CASCADES: [string, string, string][] = [
  ['webhook_cascade_team_events', 'team', `DELETE FROM "webhook_event" WHERE "team_id" IN (SELECT "id" FROM gone)`],
  ['webhook_cascade_event_deliveries', 'webhook_event', `DELETE FROM "webhook_delivery" WHERE "event_id" IN (SELECT "id" FROM gone)`],
  ['webhook_cascade_endpoint_deliveries', 'webhook_endpoint', `DELETE FROM "webhook_delivery" WHERE "endpoint_id" IN (SELECT "id" FROM gone)`],
];
