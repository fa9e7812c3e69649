import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { Notification } from './entities/notification.entity';

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

  constructor(@InjectRepository(Notification) private readonly notifications: Repository<Notification>) {}

  async notify(em: EntityManager, teamId: string, type: string, message: string, data: Record<string, unknown> = {}): Promise<void> {
    await em.query('INSERT INTO notification (team_id, type, message, data) VALUES ($1, $2, $3, $4::jsonb)', [teamId, type, message, JSON.stringify(data)]);
    this.logger.warn({ teamId, type, ...data }, `team notification: ${message}`);
  }

  async list(teamId: string, query: PageQuery): Promise<Page<NotificationView>> {
    const qb = this.notifications.createQueryBuilder('n').where('n.teamId = :teamId', { teamId });
    const page = await paginate(qb, query);
    return { data: page.data.map(({ id, type, message, data, createdAt }) => ({ id, type, message, data, createdAt })), nextCursor: page.nextCursor };
  }
}
