import { Body, HttpCode, Post } from '@nestjs/common';
import { ValidationFailed } from '../../common/errors';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { PlatformWebhookController, VerifiedConnection } from '../../connections/platform-request.guard';
import { InboundService } from '../../conversations/inbound.service';
import { TelegramClickAnswerer } from './telegram-click-answerer';
import { orderingKeyOf, TgUpdate } from './telegram-update';

/** Telegram posts updates here (setWebhook). Stored, acknowledged at once, processed by the worker. */
@PlatformWebhookController('telegram')
export class TelegramWebhookController {
  constructor(
    private readonly inbound: InboundService,
    private readonly clicks: TelegramClickAnswerer,
  ) {}

  @Post(':connectionId')
  @HttpCode(200)
  async receive(@VerifiedConnection() connection: PlatformConnection, @Body() update: TgUpdate): Promise<{ ok: true }> {
    if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id)) {
      throw new ValidationFailed('update_id must be an integer', [{ field: 'update_id', messages: ['update_id must be an integer'] }]);
    }
    const ignored = connection.status === 'active' ? undefined : `the connection is ${connection.status}`;
    await this.inbound.ingest(
      connection,
      { dedupeKey: String(update.update_id), orderingKey: orderingKeyOf(update), payload: update as unknown as Record<string, unknown> },
      ignored,
    );
    if (update.callback_query) await this.clicks.answer(connection, update); // stored first: a button click is answered at once
    return { ok: true };
  }
}
