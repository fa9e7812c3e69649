#!/usr/bin/env node
// `npm run build`: compiles src/ and migrations/ into dist/ without a moment where a server running from dist/ finds
// it missing or half-written: tsc writes a sibling folder, which then replaces dist/ by rename.
// `--if-stale` (npm start, npm run cli, the migration scripts): builds only when dist/ is missing or older than a
// source, and never when there are no sources (the production image, which has dist/ only).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const STAMP = '.build-stamp';
/** What the output depends on. Folders count too: deleting or renaming a file changes its folder's time. */
const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(file) {
  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return 0;
  }
  let t = st.mtimeMs;
  if (st.isDirectory()) for (const name of fs.readdirSync(file)) t = Math.max(t, newest(path.join(file, name)));
  return t;
}

/** Why dist/ must be rebuilt, or undefined when it is current. */
function staleness() {
  if (!fs.existsSync(path.join(root, 'src'))) return undefined;
  let built;
  try {
    built = fs.statSync(path.join(dist, STAMP)).mtimeMs;
  } catch {
    return 'dist/ is missing';
  }
  const changed = INPUTS.find((input) => newest(path.join(root, input)) > built);
  return changed && `${changed} changed since the last build`;
}

function build() {
  const started = new Date(); // the stamp gets this time: a file saved during the build makes the next run rebuild
  // Same depth as dist/, so the source maps' relative paths stay right after the rename.
  const next = path.join(root, `.dist-next-${process.pid}`);
  fs.rmSync(next, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', next, '--incremental', 'false'], {
      stdio: 'inherit',
    });
  } catch {
    fs.rmSync(next, { recursive: true, force: true });
    process.exit(1); // tsc printed the errors; dist/ is untouched
  }
  fs.chmodSync(path.join(next, 'src', 'cli.js'), 0o755); // the package's `switchboard` bin
  fs.writeFileSync(path.join(next, STAMP), `${started.toISOString()}\n`);
  fs.utimesSync(path.join(next, STAMP), started, started);
  const old = path.join(root, `.dist-old-${process.pid}`);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(dist, old);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    try {
      fs.renameSync(next, dist);
      break;
    } catch (e) {
      // another build swapped its dist/ in between: move that one aside too and try again
      if ((e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') || attempt >= 5) throw e;
    }
  }
  fs.rmSync(old, { recursive: true, force: true });
}

if (process.argv.includes('--if-stale')) {
  const reason = staleness();
  if (reason) {
    process.stderr.write(`building dist/ (${reason})\n`);
    build();
  }
} else {
  build();
}
