import { ChildProcess, fork, spawn } from 'node:child_process';

/** A child process of the bench: IPC children (fork) answer messages; the app (main.js) logs "started". */
export interface Child {
  child: ChildProcess;
  logs: () => string;
  /** The next IPC message that satisfies `match`. */
  next: <T>(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<T>;
  /** SIGTERM (after `graceMs` for it to exit by itself), SIGKILL 15 s later; resolves on exit. */
  stop: (graceMs?: number) => Promise<void>;
}

/** Children still running when the bench exits (a failed run included) are killed: none is left behind. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function wrap(child: ChildProcess): Child {
  running.add(child);
  child.once('exit', () => running.delete(child));
  let buf = '';
  child.stdout?.on('data', (d) => (buf = (buf + d).slice(-200_000)));
  child.stderr?.on('data', (d) => (buf = (buf + d).slice(-200_000)));
  const waiting = new Set<(e: Error) => void>();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      for (const reject of waiting) reject(new Error(`${child.spawnargs.join(' ')} exited (${code}): ${buf.slice(-2000)}`));
      resolve();
    }),
  );
  return {
    child,
    logs: () => buf,
    next: <T>(match: (m: Record<string, unknown>) => boolean, timeoutMs = 600_000) =>
      new Promise<T>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          child.off('message', on);
          waiting.delete(reject);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no answer from ${child.spawnargs.slice(-2).join(' ')} within ${timeoutMs} ms: ${buf.slice(-2000)}`));
        }, timeoutMs);
        const on = (m: Record<string, unknown>): void => {
          if (!match(m)) return;
          done();
          resolve(m as T);
        };
        child.on('message', on);
        waiting.add(reject);
      }),
    stop: async (graceMs = 0) => {
      if (graceMs) await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A bench script with IPC; resolves once it sent `{ready: true, …}` (returned). */
export async function forkChild(file: string, args: string[], env: NodeJS.ProcessEnv, execArgv: string[] = []): Promise<{ proc: Child; ready: Record<string, unknown> }> {
  const proc = wrap(fork(file, args, { env, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
  const ready = await proc.next<Record<string, unknown>>((m) => m.ready === true, 120_000);
  return { proc, ready };
}

/** `node main.js` (the app as deployed); resolves once it logged that it started. */
export async function startApp(file: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): Promise<Child> {
  const proc = wrap(spawn(process.execPath, [...execArgv, file], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const deadline = Date.now() + 120_000;
  while (!/listening on|running without HTTP/.test(proc.logs())) {
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`${file} did not start: ${proc.logs().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}
