import { PlatformDefinition } from '../platform-definition';
import { TelegramModule, TelegramWorkerModule } from './telegram.module';

export const TELEGRAM: PlatformDefinition = {
  name: 'telegram',
  module: TelegramModule,
  workerModule: TelegramWorkerModule, // long-polling for connections in polling mode
  secretHeaders: ['x-telegram-bot-api-secret-token'],
  secretFields: ['botToken', 'secretToken'],
  docs: { credentials: '{botToken}', settings: '{mode?: "webhook"|"polling", greeting?}' },
};
