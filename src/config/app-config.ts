import { EnvSchema } from './env.schema';

export type Role = EnvSchema['ROLE'];

/** The typed, validated configuration. Injected by class: `constructor(private readonly config: AppConfig)`. */
export class AppConfig {
  env: EnvSchema['NODE_ENV'];
  role: Role;
  port: number;
  logLevel: string;
  publicBaseUrl: string;
  dataDir: string;
  shutdownTimeoutMs: number;
  database: { url: string; migrationsRun: boolean };
  redis: { url: string; prefix: string };
  auth: {
    jwtSecret: string;
    jwtExpiresInSeconds: number;
    jwtIssuer: string;
    loginRateLimit: number;
    loginRateTtlSeconds: number;
  };
  encryptionKeys: string;
  platforms: {
    telegramApiRoot: string;
    slackApiUrl: string;
    githubApiUrl: string;
    timeoutMs: number;
  };
  connectionHealth: { intervalSeconds: number; failureThreshold: number };
  bootstrapAdmin?: { email: string; password: string; team: string };

  get runsHttp(): boolean {
    return this.role === 'all' || this.role === 'api';
  }

  get runsWorker(): boolean {
    return this.role === 'all' || this.role === 'worker';
  }
}
