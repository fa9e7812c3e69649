/**
 * The benches' child processes: the app (`src/main.js`) and bare references, each in its own process, started and
 * stopped the same way. A child never outlives the bench (a failed run included).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import { request } from 'undici';

export interface Proc {
  child: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
}

/** The app's secrets in every bench (throwaway values), and the admin the bench logs in as. */
export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };
export const BENCH_SECRETS = {
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000',
  ENCRYPTION_KEYS: `b1:${Buffer.alloc(32, 9).toString('base64')}`,
};

/** Starts `file` (with BENCH_NODE_ARGS when it is the app); resolves once `ready` matches its output or answers true (polled). */
export function startProc(file: string, env: Record<string, string>, ready: RegExp | (() => Promise<boolean>)): Promise<Proc> {
  const nodeArgs = file.endsWith('main.js') && process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL')); // a failed run leaves no app behind
  let buf = '';
  const keep = (d: Buffer): void => {
    buf = (buf + d.toString()).slice(-4000); // the tail is enough for a failure message
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const check = async (): Promise<void> => {
      const ok = ready instanceof RegExp ? ready.test(buf) : await ready().catch(() => false);
      if (ok) return resolve({ child, logs: () => buf, exited });
      if (child.exitCode !== null || Date.now() > deadline) return reject(new Error(`${file} did not start: ${buf.slice(-2000)}`));
      setTimeout(() => void check(), 50);
    };
    void check();
  });
}

/** An HTTP process is ready when /health/ready answers 200. */
export function httpReady(port: number): () => Promise<boolean> {
  return async () => {
    const res = await request(`http://127.0.0.1:${port}/health/ready`);
    await res.body.dump();
    return res.statusCode === 200;
  };
}

export async function stopProcs(procs: Proc[]): Promise<void> {
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
