import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { Notification } from './entities/notification.entity';

/** The notification table's statements. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectRepository(Notification) private readonly notifications: Repository<Notification>) {}

  /** One row, in the caller's transaction. */
  async insert(em: EntityManager, teamId: string, type: string, message: string, data: Record<string, unknown>): Promise<void> {
    await em.query('INSERT INTO notification (team_id, type, message, data) VALUES ($1, $2, $3, $4::jsonb)', [teamId, type, message, JSON.stringify(data)]);
  }

  /** A team's notifications, newest first. */
  list(teamId: string, query: PageQuery): Promise<Page<Notification>> {
    return paginate(this.notifications.createQueryBuilder('n').where('n.teamId = :teamId', { teamId }), query);
  }
}
