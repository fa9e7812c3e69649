import { PassThrough } from 'node:stream';
import { platformRedactPaths } from '../integrations';
import { createRootLogger } from './root-logger';
import { usesPrettyLogs } from './log-stream';

function capture(isTTY = false): PassThrough & { isTTY: boolean; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  return Object.assign(stream, { text: () => chunks.join('') });
}

describe('log format', () => {
  it('LOG_FORMAT=auto is pretty only in development at a terminal', () => {
    const tty = { isTTY: true };
    expect(usesPrettyLogs({ logFormat: 'auto', env: 'development' }, tty)).toBe(true);
    expect(usesPrettyLogs({ logFormat: 'auto', env: 'development' }, {})).toBe(false);
    expect(usesPrettyLogs({ logFormat: 'auto', env: 'production' }, tty)).toBe(false);
    expect(usesPrettyLogs({ logFormat: 'auto', env: 'test' }, tty)).toBe(false);
    expect(usesPrettyLogs({ logFormat: 'pretty', env: 'production' }, {})).toBe(true);
    expect(usesPrettyLogs({ logFormat: 'json', env: 'development' }, tty)).toBe(false);
  });

  const secretLine = (format: 'json' | 'pretty') => {
    const out = capture();
    const log = createRootLogger({ logLevel: 'info', logFormat: format, env: 'development', role: 'api' }, out, platformRedactPaths());
    const headers = { authorization: 'Bearer tok-123', 'x-slack-signature': 'v0=sig-789' };
    log.info({ password: 'hunter2-pass', req: { headers }, connection: { botToken: 'bot-456' } }, 'hello');
    log.debug('below the level');
    return out.text();
  };

  it('JSON: one object per line, secrets redacted', () => {
    const text = secretLine('json');
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 30, msg: 'hello', role: 'api', password: '[redacted]' });
    expect(text).not.toMatch(/hunter2|tok-123|bot-456|sig-789/);
  });

  it('pretty: a readable line, written at once, with the same redaction', () => {
    const text = secretLine('pretty');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello/);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/hunter2|tok-123|bot-456|sig-789/);
  });
});
