import { appVersion } from '../common/app-version';
import { AppConfig } from '../config/app-config';

/**
 * The optional behaviours this process runs, as the startup line names them; `platformFeatures` are what the platforms'
 * worker modules run here (platformFeatures of src/integrations), listed after the connection health checks.
 */
export function enabledFeatures(config: AppConfig, platformFeatures: readonly string[] = []): string[] {
  const worker = config.runsWorker;
  const on: [boolean, string][] = [
    [config.webhooks.enabled, 'webhooks'],
    [worker && config.webhooks.enabled && config.webhooks.sweepIntervalSeconds > 0, 'webhook sweep'],
    [config.integrations.enabled, 'integrations'],
    [worker && config.integrations.enabled && config.inbound.sweepIntervalSeconds > 0, 'inbound sweep'],
    [worker && config.connectionHealth.intervalSeconds > 0, 'connection health checks'],
    ...platformFeatures.map((name): [boolean, string] => [true, name]),
    [config.database.migrationsRun, 'migrations at startup'],
    [config.allowPrivateNetworks, 'private network targets (WEBHOOK_ALLOW_PRIVATE_NETWORKS)'],
  ];
  return on.filter(([enabled]) => enabled).map(([, name]) => name);
}

/**
 * The one line that says the process is up: `listening on http://localhost:3000 (role all, version 0.1.0, features
 * on: …)`, or for a worker `running without HTTP (role worker, …)`. Fields repeat it for log collectors.
 */
export function startupSummary(config: AppConfig, url?: string, platformFeatures: readonly string[] = []): { fields: Record<string, unknown>; msg: string } {
  const version = appVersion();
  const features = enabledFeatures(config, platformFeatures);
  const detail = `role ${config.role}, version ${version}, features on: ${features.length ? features.join(', ') : 'none'}`;
  return {
    fields: { url, version, features },
    msg: url ? `listening on ${url} (${detail})` : `running without HTTP (${detail})`,
  };
}
