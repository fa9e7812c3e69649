import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationFailed } from './errors';

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (`nextCursor`)' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CursorValue {
  t: string; // created_at ISO
  id: string;
}

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), id } satisfies CursorValue)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorValue {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorValue;
    // the cursor comes back from the client: its parts reach SQL, so they must be a date and a UUID
    if (typeof v.t !== 'string' || typeof v.id !== 'string' || !UUID.test(v.id) || Number.isNaN(Date.parse(v.t))) throw new Error('shape');
    return v;
  } catch {
    throw new ValidationFailed('cursor is not valid', [{ field: 'cursor', messages: ['cursor is not valid'] }]);
  }
}

/**
 * Keyset pagination, newest first, over (created_at, id). `alias` is the query's root alias;
 * the entity must have `createdAt` and `id`.
 */
export async function paginate<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  qb: SelectQueryBuilder<T>,
  query: PageQuery,
  alias = qb.alias,
): Promise<Page<T>> {
  const limit = query.limit ?? 50;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    qb.andWhere(`(${alias}.createdAt, ${alias}.id) < (:cursorT, :cursorId)`, { cursorT: c.t, cursorId: c.id });
  }
  const rows = await qb
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .take(limit + 1)
    .getMany();
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

export function mapPage<T, U>(page: Page<T>, fn: (t: T) => U): Page<U> {
  return { data: page.data.map(fn), nextCursor: page.nextCursor };
}
