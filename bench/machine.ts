import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** One line naming the machine a benchmark ran on. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown CPU'} × ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** The machine's CPU time so far (Linux /proc/stat, in ticks): all of it, and what the hypervisor gave other guests. */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined; // not Linux
  }
}

/** Median µs of writing 8 KiB and fdatasync-ing it in `dir`: what every PostgreSQL commit waits for, on this disk. */
function fsyncMicros(dir: string, rounds = 200): number {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(8192, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const t0 = process.hrtime.bigint();
      writeSync(fd, page, 0, page.length, 0);
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/**
 * What a shared VM does to a run besides our code, measured from now until `summary()`: the share of CPU time the
 * hypervisor stole for other guests, and the disk's fsync latency. Two runs of the same code on two VMs differ by these.
 */
export function machineLoad(dataDir = '.data'): { summary: () => string } {
  const start = cpuTicks();
  return {
    summary: () => {
      const end = cpuTicks();
      const stolen = start && end && end.total > start.total ? `${((100 * (end.steal - start.steal)) / (end.total - start.total)).toFixed(1)} %` : 'n/a';
      return `CPU stolen by the hypervisor during the run: ${stolen}; fsync of 8 KiB (the wait of a commit): median ${fsyncMicros(dataDir).toFixed(0)} µs`;
    },
  };
}

export function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]): string => `| ${vals.map((v, i) => v.padEnd(width[i])).join(' | ')} |`;
  return [line(cols), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}
