import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { isQueryError, statementLabel, summarizeQueryError } from './query-error';

/**
 * TypeORM's logger: never a statement's parameters or text. A failed statement is logged at debug level as its code,
 * constraint and statement label (the caller decides whether the failure matters: a unique violation is often a 409);
 * statements, schema and migration chatter are not logged.
 */
export class SqlLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {
    // not logged: the text is harmless but the parameters are users' data
  }

  logQueryError(error: string | Error, query: string): void {
    const sql = isQueryError(error) ? summarizeQueryError(error, query) : { statement: statementLabel(query) };
    this.logger.debug({ sql }, 'SQL statement failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ sql: { statement: statementLabel(query), ms: time } }, 'slow SQL statement');
  }

  logSchemaBuild(): void {
    // the schema is built by migrations only
  }

  logMigration(): void {
    // migrations report through their runner (prepare-database, migration-cli)
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
