import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Telegram } from 'telegraf';
import { AppConfig } from '../../config/app-config';
import { TELEGRAM_CONFIG } from './telegram.config';

const MAX_CLIENTS = 500;

/**
 * The one place Telegram Bot API clients are made, pointed at TELEGRAM_API_ROOT (a fake in tests). Clients are kept
 * per bot token in a bounded LRU, so busy bots reuse theirs and idle ones are dropped. `launch()` is never called:
 * updates arrive through our webhook (or our own polling loop).
 */
@Injectable()
export class TelegramApiFactory {
  private readonly clients = new Map<string, Telegram>();

  constructor(private readonly config: AppConfig) {}

  client(botToken: string): Telegram {
    const key = createHash('sha256').update(botToken).digest('base64url');
    const hit = this.clients.get(key);
    if (hit) {
      this.clients.delete(key); // re-insert: most recently used last
      this.clients.set(key, hit);
      return hit;
    }
    const client = new Telegram(botToken, { apiRoot: this.config.platform(TELEGRAM_CONFIG).apiRoot });
    this.clients.set(key, client);
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string);
    return client;
  }

  get timeoutMs(): number {
    return this.config.platforms.timeoutMs;
  }
}
