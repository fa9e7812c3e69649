#!/usr/bin/env node
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module';
import { AuditService } from './audit/audit.service';
import { AdminBootstrapService } from './auth/admin-bootstrap.service';
import { ExitCode, StartupError } from './common/startup-error';
import { loadConfig } from './config/load-config';
import { PLATFORM_CONFIGS } from './integrations';
import { readEnvironment } from './config/read-environment';
import { CredentialCipher } from './crypto/credential-cipher';
import { KeyRotationService } from './crypto/key-rotation.service';
import { prepareDatabase } from './database/prepare-database';

const USAGE = `usage: switchboard <command> [options]
       (from a checkout: npm run cli -- <command> [options]; or: node dist/src/cli.js <command> [options])

commands:
  create-admin --email E --password P [--team NAME]   create the first user (owner of team NAME when given)
  keys:rotate [--batch-size N]                        re-encrypt every stored secret under the first key of ENCRYPTION_KEYS
`;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = Object.assign(loadConfig(readEnvironment(), PLATFORM_CONFIGS), { role: 'api' as const });
  // The CLI runs no HTTP server and no workers; it only needs the services.
  Object.defineProperty(config, 'runsWorker', { value: false });
  Object.defineProperty(config, 'runsHttp', { value: false });
  await prepareDatabase(config);
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    switch (command) {
      case 'create-admin': {
        const { values } = parseArgs({
          args: rest,
          options: { email: { type: 'string' }, password: { type: 'string' }, team: { type: 'string' } },
        });
        if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) throw new UsageError('--email is required (an email address)');
        if (!values.password || values.password.length < 8) throw new UsageError('--password is required (at least 8 characters)');
        const r = await ctx.get(AdminBootstrapService).createAdmin(values.email, values.password, values.team);
        if (r.created) {
          const after = { userId: r.userId, email: r.email, teamId: r.teamId ?? null };
          await ctx.get(AuditService).record({ teamId: r.teamId ?? null, actorType: 'cli', actorId: null, action: 'user.created', targetType: 'user', targetId: r.userId, after });
        }
        console.log(
          r.created
            ? `created user ${r.email} (${r.userId})${r.teamId ? `, owner of team "${values.team}" (${r.teamId})` : ''}`
            : `user ${r.email} already exists (${r.userId}); nothing changed`,
        );
        return 0;
      }
      case 'keys:rotate': {
        const { values } = parseArgs({ args: rest, options: { 'batch-size': { type: 'string' } } });
        const batch = values['batch-size'] ? Number(values['batch-size']) : 200;
        if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch-size must be a positive integer');
        const rotation = ctx.get(KeyRotationService);
        const cipher = ctx.get(CredentialCipher);
        console.log(`rotating to key "${cipher.activeKeyId}"`);
        const reports = await rotation.rotateAll(batch);
        for (const r of reports) {
          console.log(`${r.table}.${r.column}: scanned ${r.scanned}, re-encrypted ${r.rotated}, already current ${r.current}, failed ${r.failed}`);
        }
        const failed = reports.reduce((n, r) => n + r.failed, 0);
        await ctx.get(AuditService).record({
          teamId: null,
          actorType: 'cli',
          actorId: null,
          action: 'encryption_keys.rotated',
          targetType: 'encryption_key',
          targetId: cipher.activeKeyId,
          after: { reports },
        });
        if (failed) console.log(`${failed} value(s) could not be decrypted with ENCRYPTION_KEYS; their connections are now in status "error"`);
        return failed ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await ctx.close();
  }
}

class UsageError extends Error {}

main()
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      process.exit(ExitCode.USAGE);
    }
    if (e instanceof StartupError) {
      // bad variables (78), PostgreSQL unreachable (69) or refusing the login (78): the same lines as main.js
      console.error(e.message);
      process.exit(e.exitCode);
    }
    console.error(e instanceof Error ? e.message : e);
    process.exit(ExitCode.FAILURE);
  });
