import { ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');

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
  const child = spawn(process.execPath, [join(build, 'src', 'main.js')], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  while (!/"msg":"started \(ROLE=/.test(buf)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await proc.kill();
      throw new Error(`the app did not start: ${buf.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}
