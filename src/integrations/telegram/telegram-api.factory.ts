import { Injectable } from '@nestjs/common';
import { Telegram } from 'telegraf';
import { AppConfig } from '../../config/app-config';

/** The one place Telegram Bot API clients are made, pointed at TELEGRAM_API_ROOT (a fake in tests). */
@Injectable()
export class TelegramApiFactory {
  constructor(private readonly config: AppConfig) {}

  client(botToken: string): Telegram {
    return new Telegram(botToken, { apiRoot: this.config.platforms.telegramApiRoot });
  }

  get timeoutMs(): number {
    return this.config.platforms.timeoutMs;
  }
}
