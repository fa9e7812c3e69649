import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { TeamRole } from '../common/decorators';
import { Conflict, Forbidden, NotFound } from '../common/errors';
import { Page, PageQuery, decodeCursor, encodeCursor } from '../common/pagination';
import { User } from '../users/entities/user.entity';
import { normalizeEmail } from '../users/users.service';
import { Team } from './entities/team.entity';
import { TeamMember } from './entities/team-member.entity';
import { auditBefore } from '../audit/audit-context';

export interface TeamView {
  id: string;
  name: string;
  role: TeamRole;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string | null;
  role: TeamRole;
  createdAt: Date;
}

const toMemberView = (m: TeamMember & { user: User }): MemberView => ({
  userId: m.userId,
  email: m.user.email,
  name: m.user.name,
  role: m.role,
  createdAt: m.createdAt,
});

@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Team) private readonly teams: Repository<Team>,
    @InjectRepository(TeamMember) private readonly members: Repository<TeamMember>,
  ) {}

  async roleOf(teamId: string, userId: string): Promise<TeamRole | null> {
    const m = await this.members.findOne({ where: { teamId, userId }, select: { role: true } });
    return m?.role ?? null;
  }

  membershipsOf(userId: string): Promise<(TeamMember & { team: Team })[]> {
    return this.members.find({ where: { userId }, relations: { team: true }, order: { createdAt: 'ASC' } }) as Promise<
      (TeamMember & { team: Team })[]
    >;
  }

  async create(name: string, ownerId: string, manager?: EntityManager): Promise<TeamView> {
    const run = async (em: EntityManager): Promise<TeamView> => {
      const team = await em.getRepository(Team).save(em.getRepository(Team).create({ name }));
      await em.getRepository(TeamMember).insert({ teamId: team.id, userId: ownerId, role: 'owner' });
      return { ...team, role: 'owner' };
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async listForUser(userId: string, page: PageQuery): Promise<Page<TeamView>> {
    const limit = page.limit ?? 50;
    const qb = this.members
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.team', 't')
      .where('m.userId = :userId', { userId });
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      qb.andWhere('(t.created_at, t.id) < (:ct, :cid)', { ct: c.t, cid: c.id });
    }
    const rows = (await qb
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit + 1)
      .getMany()) as (TeamMember & { team: Team })[];
    const data = rows.slice(0, limit).map((m) => ({ ...m.team, role: m.role }));
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  async get(teamId: string, role: TeamRole): Promise<TeamView> {
    const team = await this.teams.findOneBy({ id: teamId });
    if (!team) throw new NotFound('team');
    return { ...team, role };
  }

  async update(teamId: string, role: TeamRole, patch: { name?: string }): Promise<TeamView> {
    auditBefore(await this.get(teamId, role));
    if (patch.name !== undefined) await this.teams.update({ id: teamId }, { name: patch.name });
    return this.get(teamId, role);
  }

  async remove(teamId: string): Promise<void> {
    auditBefore(await this.teams.findOneBy({ id: teamId }));
    await this.teams.delete({ id: teamId });
  }

  async listMembers(teamId: string, page: PageQuery): Promise<Page<MemberView>> {
    const limit = page.limit ?? 50;
    const qb = this.members.createQueryBuilder('m').innerJoinAndSelect('m.user', 'u').where('m.teamId = :teamId', { teamId });
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      qb.andWhere('(m.created_at, m.user_id) > (:ct, :cid)', { ct: c.t, cid: c.id });
    }
    const rows = (await qb
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.user_id', 'ASC')
      .limit(limit + 1)
      .getMany()) as (TeamMember & { user: User })[];
    const data = rows.slice(0, limit).map(toMemberView);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.userId) : null };
  }

  async getMember(teamId: string, userId: string): Promise<MemberView> {
    const m = await this.members.findOne({ where: { teamId, userId }, relations: { user: true } });
    if (!m) throw new NotFound('member');
    return toMemberView(m as TeamMember & { user: User });
  }

  /** Whether someone with this email is a member (owners and admins see the member list anyway). */
  hasMemberWithEmail(teamId: string, email: string): Promise<boolean> {
    return this.members
      .createQueryBuilder('m')
      .innerJoin('m.user', 'u')
      .where('m.teamId = :teamId AND u.email = :email', { teamId, email: normalizeEmail(email) })
      .getExists();
  }

  /** Adds an existing user to the team inside the caller's transaction (used when an invitation is accepted). */
  async insertMember(em: EntityManager, teamId: string, userId: string, role: TeamRole): Promise<void> {
    const result = await em.createQueryBuilder().insert().into(TeamMember).values({ teamId, userId, role }).orIgnore().execute();
    // ON CONFLICT DO NOTHING … RETURNING gives no row when the membership already exists
    if ((result.raw as unknown[]).length === 0) throw new Conflict('you are already a member of this team');
  }

  async updateMember(teamId: string, actorRole: TeamRole, userId: string, role: TeamRole): Promise<MemberView> {
    auditBefore(await this.getMember(teamId, userId));
    await this.dataSource.transaction(async (em) => {
      const target = await this.lockedMember(em, teamId, userId);
      if ((target.role === 'owner' || role === 'owner') && actorRole !== 'owner') {
        throw new Forbidden('only an owner can change an owner or make someone an owner');
      }
      if (target.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(em, teamId, userId);
      await em.getRepository(TeamMember).update({ teamId, userId }, { role });
    });
    return this.getMember(teamId, userId);
  }

  async removeMember(teamId: string, actorRole: TeamRole, userId: string): Promise<void> {
    auditBefore(await this.getMember(teamId, userId));
    await this.dataSource.transaction(async (em) => {
      const target = await this.lockedMember(em, teamId, userId);
      if (target.role === 'owner') {
        if (actorRole !== 'owner') throw new Forbidden('only an owner can remove an owner');
        await this.assertAnotherOwner(em, teamId, userId);
      }
      await em.getRepository(TeamMember).delete({ teamId, userId });
    });
  }

  /** Locks every membership row of the team so two concurrent removals cannot both pass the last-owner check. */
  private async lockedMember(em: EntityManager, teamId: string, userId: string): Promise<TeamMember> {
    const rows = await em
      .getRepository(TeamMember)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.teamId = :teamId', { teamId })
      .getMany();
    const target = rows.find((r) => r.userId === userId);
    if (!target) throw new NotFound('member');
    return target;
  }

  private async assertAnotherOwner(em: EntityManager, teamId: string, _userId: string): Promise<void> {
    const owners = await em.getRepository(TeamMember).countBy({ teamId, role: 'owner' });
    if (owners <= 1) throw new Conflict(`the team must keep at least one owner; make someone else an owner first`);
  }
}
