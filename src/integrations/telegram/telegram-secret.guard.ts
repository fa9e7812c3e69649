import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Unauthorized } from '../../common/errors';
import { ConnectionSecretCache } from '../../connections/connection-secret.cache';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import { constantTimeEqual } from '../../crypto/secrets';

export type TelegramWebhookRequest = Request & { platformConnection?: PlatformConnection };

/**
 * `X-Telegram-Bot-Api-Secret-Token` must equal the connection's secret token (constant-time). Missing or wrong → 401
 * and nothing is stored; an unknown connection → 404.
 */
@Injectable()
export class TelegramSecretGuard implements CanActivate {
  constructor(private readonly secrets: ConnectionSecretCache) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<TelegramWebhookRequest>();
    const { connection, secret } = await this.secrets.lookup(String(req.params.connectionId ?? ''), 'telegram', 'secretToken');
    const given = req.header('x-telegram-bot-api-secret-token');
    if (!given || !secret || !constantTimeEqual(given, secret)) throw new Unauthorized('missing or wrong X-Telegram-Bot-Api-Secret-Token');
    req.platformConnection = connection;
    return true;
  }
}
