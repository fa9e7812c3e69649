import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Page, PageQuery } from '../common/pagination';
import { NotificationsRepository } from './notifications.repository';

export interface NotificationView {
  id: string;
  type: string;
  message: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** Team notifications for owners and admins: a row (listed by the API) and a log line. */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('Notifications');

  constructor(private readonly repo: NotificationsRepository) {}

  async notify(em: EntityManager, teamId: string, type: string, message: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.repo.insert(em, teamId, type, message, data);
    this.logger.warn({ teamId, type, ...data }, `team notification: ${message}`);
  }

  async list(teamId: string, query: PageQuery): Promise<Page<NotificationView>> {
    const page = await this.repo.list(teamId, query);
    return { data: page.data.map(({ id, type, message, data, createdAt }) => ({ id, type, message, data, createdAt })), nextCursor: page.nextCursor };
  }
}
