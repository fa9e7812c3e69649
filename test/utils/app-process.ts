import { ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
