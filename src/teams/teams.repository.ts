import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { TeamRole } from '../common/decorators';
import { Page, PageQuery, decodeCursor, encodeCursor } from '../common/pagination';
import { Team } from './entities/team.entity';
import { TeamMember } from './entities/team-member.entity';
import { retryOnDeadlock } from '../database/pg-errors';

/** The team and team_member tables' statements; methods taking `em` run in the caller's transaction. */
@Injectable()
export class TeamsRepository {
  constructor(
    @InjectRepository(Team) private readonly teams: Repository<Team>,
    @InjectRepository(TeamMember) private readonly members: Repository<TeamMember>,
  ) {}

  // ---- teams --------------------------------------------------------------------------------------------------

  /** A new team with `ownerId` as its owner. */
  async createWithOwner(em: EntityManager, name: string, ownerId: string): Promise<Team> {
    const team = await em.getRepository(Team).save(em.getRepository(Team).create({ name }));
    await em.getRepository(TeamMember).insert({ teamId: team.id, userId: ownerId, role: 'owner' });
    return team;
  }

  findTeam(id: string): Promise<Team | null> {
    return this.teams.findOneBy({ id });
  }

  /** The teams among `ids` (unknown ids are left out). */
  findTeams(ids: readonly string[]): Promise<Team[]> {
    return ids.length ? this.teams.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  async renameTeam(id: string, name: string): Promise<void> {
    await this.teams.update({ id }, { name });
  }

  async deleteTeam(id: string): Promise<void> {
    await retryOnDeadlock(() => this.teams.delete({ id })); // cascades into busy conversations' rows
  }

  /** The user's memberships with their teams, newest team first (keyset over the team's created_at, id). */
  async teamsOfUser(userId: string, page: PageQuery): Promise<Page<TeamMember & { team: Team }>> {
    const limit = page.limit ?? 50;
    const qb = this.members.createQueryBuilder('m').innerJoinAndSelect('m.team', 't').where('m.userId = :userId', { userId });
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      qb.andWhere('(t.created_at, t.id) < (:ct, :cid)', { ct: c.t, cid: c.id });
    }
    const rows = (await qb
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit + 1)
      .getMany()) as (TeamMember & { team: Team })[];
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.team.createdAt, last.team.id) : null };
  }

  // ---- members ------------------------------------------------------------------------------------------------

  async roleOf(teamId: string, userId: string): Promise<TeamRole | null> {
    const m = await this.members.findOne({ where: { teamId, userId }, select: { role: true } });
    return m?.role ?? null;
  }

  /** Every membership of the user with its team, oldest first. */
  membershipsOf(userId: string): Promise<(TeamMember & { team: Team })[]> {
    return this.members.find({ where: { userId }, relations: { team: true }, order: { createdAt: 'ASC' } }) as Promise<(TeamMember & { team: Team })[]>;
  }

  /** The team's members, oldest first (keyset over created_at, user_id). */
  async listMembers(teamId: string, page: PageQuery): Promise<Page<TeamMember>> {
    const limit = page.limit ?? 50;
    const qb = this.members.createQueryBuilder('m').where('m.teamId = :teamId', { teamId });
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      qb.andWhere('(m.created_at, m.user_id) > (:ct, :cid)', { ct: c.t, cid: c.id });
    }
    const rows = await qb
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.user_id', 'ASC')
      .limit(limit + 1)
      .getMany();
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.userId) : null };
  }

  findMember(teamId: string, userId: string): Promise<TeamMember | null> {
    return this.members.findOneBy({ teamId, userId });
  }

  isMember(teamId: string, userId: string): Promise<boolean> {
    return this.members.existsBy({ teamId, userId });
  }

  /** Adds a membership unless one exists (ON CONFLICT DO NOTHING); false when it existed. */
  async insertMember(em: EntityManager, teamId: string, userId: string, role: TeamRole): Promise<boolean> {
    const result = await em.createQueryBuilder().insert().into(TeamMember).values({ teamId, userId, role }).orIgnore().execute();
    // ON CONFLICT DO NOTHING … RETURNING gives no row when the membership already exists
    return (result.raw as unknown[]).length > 0;
  }

  /** Every membership row of the team, locked FOR UPDATE. */
  lockMembers(em: EntityManager, teamId: string): Promise<TeamMember[]> {
    return em.getRepository(TeamMember).createQueryBuilder('m').setLock('pessimistic_write').where('m.teamId = :teamId', { teamId }).getMany();
  }

  countOwners(em: EntityManager, teamId: string): Promise<number> {
    return em.getRepository(TeamMember).countBy({ teamId, role: 'owner' });
  }

  async setRole(em: EntityManager, teamId: string, userId: string, role: TeamRole): Promise<void> {
    await em.getRepository(TeamMember).update({ teamId, userId }, { role });
  }

  async deleteMember(em: EntityManager, teamId: string, userId: string): Promise<void> {
    await em.getRepository(TeamMember).delete({ teamId, userId });
  }
}
