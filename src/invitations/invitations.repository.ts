import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { TeamRole } from '../common/decorators';
import { Page, PageQuery, paginate } from '../common/pagination';
import { Invitation } from './entities/invitation.entity';

/**
 * The invitation table's statements; methods taking `em` run in the caller's transaction. "Open": neither accepted
 * nor revoked; "pending": open and not expired at `now`.
 */
@Injectable()
export class InvitationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The open invitation (expired or not) of `email` to the team. */
  findOpen(em: EntityManager, teamId: string, email: string): Promise<Invitation | null> {
    return this.openQuery(em).andWhere('i.teamId = :teamId AND i.email = :email', { teamId, email }).getOne();
  }

  /** A pending invitation of the team by id, locked FOR UPDATE. */
  lockPending(em: EntityManager, teamId: string, id: string, now: Date): Promise<Invitation | null> {
    return this.pendingQuery(em, now).andWhere('i.id = :id AND i.teamId = :teamId', { id, teamId }).setLock('pessimistic_write').getOne();
  }

  /** The pending invitation with this token hash, locked FOR UPDATE. */
  lockPendingByTokenHash(em: EntityManager, tokenHash: string, now: Date): Promise<Invitation | null> {
    return this.pendingQuery(em, now).andWhere('i.tokenHash = :tokenHash', { tokenHash }).setLock('pessimistic_write').getOne();
  }

  /** A team's pending invitations, newest first. */
  listPendingOfTeam(teamId: string, now: Date, page: PageQuery): Promise<Page<Invitation>> {
    return paginate(this.pendingQuery(this.dataSource.manager, now).andWhere('i.teamId = :teamId', { teamId }), page);
  }

  /** Pending invitations addressed to `email` (any team), newest first. */
  listPendingOfEmail(email: string, now: Date, page: PageQuery): Promise<Page<Invitation>> {
    return paginate(this.pendingQuery(this.dataSource.manager, now).andWhere('i.email = :email', { email }), page);
  }

  insert(em: EntityManager, row: { teamId: string; email: string; role: TeamRole; tokenHash: string; invitedById: string | null; expiresAt: Date }): Promise<Invitation> {
    const repo = em.getRepository(Invitation);
    return repo.save(repo.create(row));
  }

  async revoke(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.getRepository(Invitation).update({ id }, { revokedAt: at });
  }

  async markAccepted(em: EntityManager, id: string, at: Date, userId: string): Promise<void> {
    await em.getRepository(Invitation).update({ id }, { acceptedAt: at, acceptedById: userId });
  }

  private openQuery(em: EntityManager): SelectQueryBuilder<Invitation> {
    return em
      .getRepository(Invitation)
      .createQueryBuilder('i')
      .where(new Brackets((w) => w.where('i.acceptedAt IS NULL').andWhere('i.revokedAt IS NULL')));
  }

  private pendingQuery(em: EntityManager, now: Date): SelectQueryBuilder<Invitation> {
    return this.openQuery(em).andWhere('i.expiresAt > :now', { now });
  }
}
