import { PlatformDefinition } from '../platform-definition';
import { TELEGRAM_CONFIG } from './telegram.config';
import { TelegramModule, TelegramWorkerModule } from './telegram.module';

export const TELEGRAM: PlatformDefinition = {
  name: 'telegram',
  module: TelegramModule,
  workerModule: TelegramWorkerModule, // long-polling for connections in polling mode
  workerFeatures: (config) => (config.platform(TELEGRAM_CONFIG).polling.scanIntervalMs > 0 ? ['telegram polling'] : []),
  config: TELEGRAM_CONFIG,
  secretHeaders: ['x-telegram-bot-api-secret-token'],
  secretFields: ['botToken', 'secretToken'],
  docs: {
    credentials: '{botToken}',
    settings: '{mode?: "webhook"|"polling", greeting?}',
    setup: {
      modes: { values: ['webhook', 'polling'], description: 'Telegram: `webhook` or `polling`' },
      fields: {
        pollingEnabled: { type: 'boolean', description: 'Telegram polling mode: whether this deployment polls at all (TELEGRAM_POLL_SCAN_MS > 0)' },
      },
    },
  },
};
