import { ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestApp } from './test-app';
import { until } from './wait';

export const run = promisify(execFile);
const root = join(__dirname, '..', '..');

/**
 * A copy of the project as an operator gets it (package.json, scripts/, sources, the shared node_modules), outside
 * the repository so tests can build, rebuild and drop a `.env` there without touching the checkout or each other.
 */
export function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-project-'));
  for (const name of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'migrations']) {
    cpSync(join(root, name), join(dir, name), { recursive: true, filter: (src) => !src.endsWith('.spec.ts') });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** stdout and stderr interleaved, for failure messages. */
  logs: () => string;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills what startMain started and is still running (a failed test must not leave a server behind). */
export function killStarted(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** `node dist/src/main.js` in `dir` (its working directory, where `.env` is read) with exactly `env`. */
export function startMain(dir: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [join(dir, 'dist', 'src', 'main.js')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  let err = '';
  let all = '';
  child.stdout?.on('data', (d) => ((out += d), (all += d)));
  child.stderr?.on('data', (d) => ((err += d), (all += d)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, logs: () => all, exited };
}
/** The compiled app (`tsc -p tsconfig.build.json`) in a directory of this Jest worker, inside the repo so node_modules resolve. */
export async function buildApp(name: string): Promise<string> {
  const out = join(root, '.data', `test-build-${name}-w${process.env.JEST_WORKER_ID ?? '1'}`);
  rmSync(out, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(root, 'tsconfig.build.json'),
    '--outDir',
    out,
    '--incremental',
    'false',
  ]);
  return out;
}

export interface AppProcess {
  child: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown hook runs (nothing recorded, nothing released). */
  kill: () => Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop: () => Promise<void>;
}

/** `node <build>/src/main.js` with exactly `env` (plus PATH); resolves once it logged that it started. */
export async function startApp(build: string, env: Record<string, string>, timeoutMs = 60_000): Promise<AppProcess> {
  const child = spawn(process.execPath, [join(build, 'src', 'main.js')], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  child.stdout?.on('data', (d) => (buf += d));
  child.stderr?.on('data', (d) => (buf += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc: AppProcess = {
    child,
    logs: () => buf,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!/listening on|running without HTTP/.test(buf)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await proc.kill();
      throw new Error(`the app did not start: ${buf.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

/** A `ROLE=worker` child of a compiled app (stdout and stderr kept), and how it ended. */
export interface WorkerProcess {
  child: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `<out>/src/main.js` as a worker on the test app's database and BullMQ prefix (no migrations: the test app ran
 * them), with `env` on top, and resolves once its start line says it is running.
 */
export async function startBuiltWorker(out: string, t: TestApp, env: Record<string, string>, timeoutMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(out, 'src', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      ROLE: 'worker',
      LOG_LEVEL: 'info', // the start line says when it is ready
      LOG_FORMAT: 'json',
      DATABASE_URL: t.config.database.url,
      MIGRATIONS_RUN: 'false',
      BULLMQ_PREFIX: t.config.redis.prefix,
      JWT_SECRET: process.env.JWT_SECRET,
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  child.stdout?.on('data', (d) => (buf += d));
  child.stderr?.on('data', (d) => (buf += d));
  const w = { child, logs: () => buf, exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
  await until(() => {
    if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${buf}`);
    return /listening on|running without HTTP/.test(buf);
  }, 'the worker to start', timeoutMs);
  return w;
}
