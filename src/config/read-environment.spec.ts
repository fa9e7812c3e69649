import 'reflect-metadata';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './load-config';
import { readEnvironment } from './read-environment';

describe('readEnvironment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-env-'));

  it('puts .env under the process environment, which wins', () => {
    const file = join(dir, 'with.env');
    writeFileSync(file, '# comment\nPORT=4000\nROLE="worker"\nLOG_LEVEL=debug # trailing\nexport_ok=1\n');
    expect(readEnvironment(file, { PORT: '5000', PATH: '/bin' })).toEqual({
      PORT: '5000',
      ROLE: 'worker',
      LOG_LEVEL: 'debug',
      export_ok: '1',
      PATH: '/bin',
    });
  });

  it('without .env is the process environment alone', () => {
    expect(readEnvironment(join(dir, 'missing.env'), { PORT: '5000' })).toEqual({ PORT: '5000' });
  });

  it('a .env it cannot read is a configuration error naming it', () => {
    const notAFile = join(dir, 'a-directory.env');
    mkdirSync(notAFile);
    expect(() => readEnvironment(notAFile, {})).toThrow(ConfigError);
    expect(() => readEnvironment(notAFile, {})).toThrow(/^\.env: cannot read .*a-directory\.env \(EISDIR\)$/);
  });
});
