import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsUrl, Min } from 'class-validator';
import { AppConfig } from './app-config';
import { httpUrl, httpUrlMessage } from './env-rules';
import { ConfigError, loadConfig } from './load-config';
import { declaredVariables, PlatformConfigSpec } from './platform-config';

const KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: KEY };

class ExampleEnv {
  @IsUrl(httpUrl, httpUrlMessage) EXAMPLE_API_URL: string = 'https://api.example.com/';
  @Type(() => Number) @IsInt() @Min(0) EXAMPLE_SCAN_MS: number = 5000;
}
const EXAMPLE: PlatformConfigSpec<ExampleEnv, { apiUrl: string; scanMs: number }> = {
  platform: 'example',
  schema: ExampleEnv,
  build: (env) => ({ apiUrl: env.EXAMPLE_API_URL.replace(/\/+$/, ''), scanMs: env.EXAMPLE_SCAN_MS }),
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('platform variables (loadConfig with the platforms’ specs)', () => {
  it('parses the declared variables, with their defaults, into the platform’s typed settings', () => {
    expect(loadConfig(base, [EXAMPLE]).platform(EXAMPLE)).toEqual({ apiUrl: 'https://api.example.com', scanMs: 5000 });
    expect(loadConfig({ ...base, EXAMPLE_SCAN_MS: '0', EXAMPLE_API_URL: 'http://127.0.0.1:9/' }, [EXAMPLE]).platform(EXAMPLE)).toEqual({ apiUrl: 'http://127.0.0.1:9', scanMs: 0 });
  });

  it('reports a bad platform variable with the core ones, naming it, at load time', () => {
    const e = configError(() => loadConfig({ ...base, PORT: 'abc', EXAMPLE_API_URL: 'ftp://x', EXAMPLE_SCAN_MS: '-1' }, [EXAMPLE]));
    expect(e.problems).toEqual([
      'PORT must be an integer number (got "abc")',
      'EXAMPLE_API_URL must be an http:// or https:// URL (got "ftp://x")',
      'EXAMPLE_SCAN_MS must not be less than 0 (got "-1")',
    ]);
    expect(e.exitCode).toBe(78);
  });

  it('a platform not passed to loadConfig is parsed from the same source when first asked for', () => {
    const c = loadConfig({ ...base, EXAMPLE_SCAN_MS: '7' });
    expect(c.platform(EXAMPLE).scanMs).toBe(7);
    const bad = loadConfig({ ...base, EXAMPLE_SCAN_MS: 'soon' });
    expect(configError(() => bad.platform(EXAMPLE)).problems).toEqual(['EXAMPLE_SCAN_MS must be an integer number (got "soon")']);
  });

  it('an AppConfig not built by loadConfig has no platform settings', () => {
    expect(() => new AppConfig().platform(EXAMPLE)).toThrow('no settings for platform example');
  });

  it('declaredVariables lists the variables with their defaults', () => {
    expect(declaredVariables(EXAMPLE)).toEqual({ EXAMPLE_API_URL: 'https://api.example.com/', EXAMPLE_SCAN_MS: 5000 });
  });
});
