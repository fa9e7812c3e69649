import { appVersion } from '../common/app-version';
import { AppConfig } from '../config/app-config';

/** The optional behaviours this process runs, as the startup line names them. */
export function enabledFeatures(config: AppConfig): string[] {
  const worker = config.runsWorker;
  const on: [boolean, string][] = [
    [config.webhooks.enabled, 'webhooks'],
    [worker && config.webhooks.enabled && config.webhooks.sweepIntervalSeconds > 0, 'webhook sweep'],
    [config.integrations.enabled, 'integrations'],
    [worker && config.integrations.enabled && config.inbound.sweepIntervalSeconds > 0, 'inbound sweep'],
    [worker && config.connectionHealth.intervalSeconds > 0, 'connection health checks'],
    [worker && config.integrations.enabled && config.telegramPolling.scanIntervalMs > 0, 'telegram polling'],
    [worker && config.integrations.enabled && config.slackSocket.scanIntervalMs > 0, 'slack socket mode'],
    [config.database.migrationsRun, 'migrations at startup'],
    [config.allowPrivateNetworks, 'private network targets (WEBHOOK_ALLOW_PRIVATE_NETWORKS)'],
  ];
  return on.filter(([enabled]) => enabled).map(([, name]) => name);
}

/**
 * The one line that says the process is up: `listening on http://localhost:3000 (role all, version 0.1.0, features
 * on: …)`, or for a worker `running without HTTP (role worker, …)`. Fields repeat it for log collectors.
 */
export function startupSummary(config: AppConfig, url?: string): { fields: Record<string, unknown>; msg: string } {
  const version = appVersion();
  const features = enabledFeatures(config);
  const detail = `role ${config.role}, version ${version}, features on: ${features.length ? features.join(', ') : 'none'}`;
  return {
    fields: { url, version, features },
    msg: url ? `listening on ${url} (${detail})` : `running without HTTP (${detail})`,
  };
}
