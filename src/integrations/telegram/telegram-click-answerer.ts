import { Injectable, Logger } from '@nestjs/common';
import { ConnectionsService } from '../../connections/connections.service';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { scrubSecrets } from '../../connections/platform-connector';
import { ActionTurns } from '../../conversations/actions/action-turns';
import { AppConfig } from '../../config/app-config';
import { withTimeout } from '../../common/with-timeout';
import { TelegramApiFactory } from './telegram-api.factory';
import { TgUpdate } from './telegram-update';

/**
 * Answers a button click (answerCallbackQuery) the moment its update is stored — by the webhook controller or the
 * poller — so the user's spinner stops at once even when the conversation is busy. The answer is a read-only verdict
 * (unknown, decided, expired, not an approver → an alert; else "You chose …"); the worker decides for real, in the
 * conversation's order, and redraws the message with the outcome. Best effort: a failure is logged, never thrown.
 */
@Injectable()
export class TelegramClickAnswerer {
  private readonly logger = new Logger('TelegramClicks');

  constructor(
    private readonly actions: ActionTurns,
    private readonly connections: ConnectionsService,
    private readonly api: TelegramApiFactory,
    private readonly config: AppConfig,
  ) {}

  async answer(connection: PlatformConnection, update: TgUpdate): Promise<void> {
    const cq = update.callback_query;
    const chatId = cq?.message?.chat?.id;
    if (!cq || typeof cq.id !== 'string' || !Number.isSafeInteger(chatId) || !Number.isSafeInteger(cq.from?.id) || connection.status !== 'active') return;
    let credentials: Record<string, string> = {};
    try {
      credentials = await this.connections.credentialsOf(connection);
      const verdict = await this.actions.precheck({
        connectionId: connection.id,
        token: typeof cq.data === 'string' ? cq.data : '',
        chatId: String(chatId),
        user: { id: String(cq.from.id) },
      });
      const tg = this.api.client(credentials.botToken);
      await withTimeout(tg.answerCbQuery(cq.id, verdict.text.slice(0, 200), { show_alert: verdict.refused }), this.config.platforms.timeoutMs, 'answerCallbackQuery');
    } catch (e) {
      // telegraf's network errors quote the URL, which holds the token
      this.logger.warn(`could not answer callback query: ${scrubSecrets(e instanceof Error ? e.message : String(e), credentials)}`);
    }
  }
}
