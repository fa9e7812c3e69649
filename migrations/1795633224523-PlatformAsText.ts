import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * platform_connection.platform: the `platform` enum becomes text, keeping every row (the API checks names against the
 * connector registry, so a new platform needs no migration). Generated as drop-and-add, which would lose the column's
 * data; changed by hand to convert in place. The indexes on the column are rebuilt by ALTER … TYPE and keep their names.
 * `down` fails if a row holds a platform the old enum did not list.
 */
export class PlatformAsText1795633224523 implements MigrationInterface {
  name = 'PlatformAsText1795633224523';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "platform_connection" ALTER COLUMN "platform" TYPE text USING "platform"::text`);
    await queryRunner.query(`DROP TYPE "public"."platform"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."platform" AS ENUM('telegram', 'slack', 'github', 'discord', 'whatsapp')`);
    await queryRunner.query(`ALTER TABLE "platform_connection" ALTER COLUMN "platform" TYPE "public"."platform" USING "platform"::"public"."platform"`);
  }
}
