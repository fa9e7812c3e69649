import { QueryFailedError } from 'typeorm';
import { serializeError } from '../logging/error-serializer';
import { safeErrorMessage, statementLabel, summarizeQueryError } from './query-error';

/** What pg's DatabaseError carries (the fields TypeORM copies onto QueryFailedError). */
function pgError(message: string, fields: Record<string, string>): Error {
  return Object.assign(new Error(message), { name: 'error', severity: 'ERROR', ...fields });
}

describe('failed SQL statements in logs', () => {
  const SECRET = 'scrypt$N=16384$c2VjcmV0LXNhbHQ$hash-of-a-password';

  it('labels a statement by its verb and first table, never a value', () => {
    expect(statementLabel('INSERT INTO "user"("id", "email") VALUES ($1, $2)')).toBe('INSERT INTO user');
    expect(statementLabel('UPDATE "public"."agent" SET "name" = $1 WHERE "id" = $2')).toBe('UPDATE public.agent');
    expect(statementLabel('/* hint */ DELETE FROM message WHERE id = $1')).toBe('DELETE FROM message');
    expect(statementLabel('SELECT "u"."id" FROM "user" "u" WHERE "u"."email" = $1')).toBe('SELECT FROM user');
    expect(statementLabel("WITH x AS (SELECT 'literal') SELECT * FROM x")).toBe('WITH');
    expect(statementLabel(undefined)).toBeUndefined();
  });

  it('keeps the code and names but drops parameters, detail and quoted values from the message', () => {
    const sql = 'SELECT "User"."id" FROM "user" "User" WHERE "User"."id" = $1';
    const e = new QueryFailedError(sql, ['not-a-uuid'], pgError('invalid input syntax for type uuid: "not-a-uuid"', { code: '22P02', routine: 'string_to_uuid' }));
    expect(summarizeQueryError(e)).toEqual({
      type: 'QueryFailedError',
      code: '22P02',
      statement: 'SELECT FROM user',
      message: 'invalid input syntax for type uuid: "[redacted]"',
    });
    const dup = new QueryFailedError(
      'INSERT INTO "user"("email", "password_hash") VALUES ($1, $2)',
      ['a@example.com', SECRET],
      pgError('duplicate key value violates unique constraint "UQ_user_email"', {
        code: '23505',
        constraint: 'UQ_user_email',
        table: 'user',
        detail: 'Key (email)=(a@example.com) already exists.',
      }),
    );
    const line = JSON.stringify(serializeError(dup));
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain('a@example.com');
    expect(JSON.parse(line)).toMatchObject({ code: '23505', constraint: 'UQ_user_email', table: 'user', statement: 'INSERT INTO user' });
    expect(safeErrorMessage(dup)).toBe('SQL error 23505 (INSERT INTO user, constraint UQ_user_email): duplicate key value violates unique constraint "UQ_user_email"');
  });

  it('sanitizes a failed statement that is the cause or a property of another error', () => {
    const failed = new QueryFailedError('UPDATE "message" SET "text" = $1', [SECRET], pgError('value too long for type character varying(10)', { code: '22001' }));
    const wrapped = Object.assign(new Error('turn failed', { cause: failed }), { original: failed });
    const out = serializeError(wrapped) as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out.cause).toMatchObject({ code: '22001', statement: 'UPDATE message' });
    expect(out.original).toMatchObject({ code: '22001' });
  });

  it('leaves other errors as pino serializes them', () => {
    expect(serializeError(Object.assign(new Error('boom'), { status: 502 }))).toMatchObject({ type: 'Error', message: 'boom', status: 502 });
    expect(safeErrorMessage(new Error('plain'))).toBe('plain');
  });
});
