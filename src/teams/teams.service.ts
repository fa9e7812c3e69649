import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TeamRole } from '../common/decorators';
import { Conflict, Forbidden, NotFound } from '../common/errors';
import { Page, PageQuery } from '../common/pagination';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { Team } from './entities/team.entity';
import { TeamMember } from './entities/team-member.entity';
import { TeamsRepository } from './teams.repository';
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

const toMemberView = (m: TeamMember, user: User): MemberView => ({
  userId: m.userId,
  email: user.email,
  name: user.name,
  role: m.role,
  createdAt: m.createdAt,
});

@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: TeamsRepository,
    private readonly users: UsersService,
  ) {}

  roleOf(teamId: string, userId: string): Promise<TeamRole | null> {
    return this.repo.roleOf(teamId, userId);
  }

  membershipsOf(userId: string): Promise<(TeamMember & { team: Team })[]> {
    return this.repo.membershipsOf(userId);
  }

  async create(name: string, ownerId: string, manager?: EntityManager): Promise<TeamView> {
    const run = async (em: EntityManager): Promise<TeamView> => ({ ...(await this.repo.createWithOwner(em, name, ownerId)), role: 'owner' });
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async listForUser(userId: string, page: PageQuery): Promise<Page<TeamView>> {
    const p = await this.repo.teamsOfUser(userId, page);
    return { data: p.data.map((m) => ({ ...m.team, role: m.role })), nextCursor: p.nextCursor };
  }

  async get(teamId: string, role: TeamRole): Promise<TeamView> {
    const team = await this.repo.findTeam(teamId);
    if (!team) throw new NotFound('team');
    return { ...team, role };
  }

  /** The names of the teams among `ids`, by id (for lists that show a team beside each row). */
  async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
    return new Map((await this.repo.findTeams([...new Set(ids)])).map((t) => [t.id, t.name]));
  }

  async update(teamId: string, role: TeamRole, patch: { name?: string }): Promise<TeamView> {
    auditBefore(await this.get(teamId, role));
    if (patch.name !== undefined) await this.repo.renameTeam(teamId, patch.name);
    return this.get(teamId, role);
  }

  async remove(teamId: string): Promise<void> {
    auditBefore(await this.repo.findTeam(teamId));
    await this.repo.deleteTeam(teamId);
  }

  async listMembers(teamId: string, page: PageQuery): Promise<Page<MemberView>> {
    const p = await this.repo.listMembers(teamId, page);
    const users = await this.users.byIds(p.data.map((m) => m.userId));
    const data: MemberView[] = [];
    for (const m of p.data) {
      const user = users.get(m.userId);
      if (user) data.push(toMemberView(m, user)); // a membership's user always exists (foreign key, cascading delete)
    }
    return { data, nextCursor: p.nextCursor };
  }

  async getMember(teamId: string, userId: string): Promise<MemberView> {
    const m = await this.repo.findMember(teamId, userId);
    const user = m && (await this.users.findById(userId));
    if (!m || !user) throw new NotFound('member');
    return toMemberView(m, user);
  }

  /** Whether someone with this email is a member (owners and admins see the member list anyway). */
  async hasMemberWithEmail(teamId: string, email: string): Promise<boolean> {
    const user = await this.users.findByEmail(email);
    return user ? this.repo.isMember(teamId, user.id) : false;
  }

  /** Adds an existing user to the team inside the caller's transaction (used when an invitation is accepted). */
  async insertMember(em: EntityManager, teamId: string, userId: string, role: TeamRole): Promise<void> {
    if (!(await this.repo.insertMember(em, teamId, userId, role))) throw new Conflict('you are already a member of this team');
  }

  async updateMember(teamId: string, actorRole: TeamRole, userId: string, role: TeamRole): Promise<MemberView> {
    auditBefore(await this.getMember(teamId, userId));
    await this.dataSource.transaction(async (em) => {
      const target = await this.lockedMember(em, teamId, userId);
      if ((target.role === 'owner' || role === 'owner') && actorRole !== 'owner') {
        throw new Forbidden('only an owner can change an owner or make someone an owner');
      }
      if (target.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(em, teamId);
      await this.repo.setRole(em, teamId, userId, role);
    });
    return this.getMember(teamId, userId);
  }

  async removeMember(teamId: string, actorRole: TeamRole, userId: string): Promise<void> {
    auditBefore(await this.getMember(teamId, userId));
    await this.dataSource.transaction(async (em) => {
      const target = await this.lockedMember(em, teamId, userId);
      if (target.role === 'owner') {
        if (actorRole !== 'owner') throw new Forbidden('only an owner can remove an owner');
        await this.assertAnotherOwner(em, teamId);
      }
      await this.repo.deleteMember(em, teamId, userId);
    });
  }

  /** Locks every membership row of the team so two concurrent removals cannot both pass the last-owner check. */
  private async lockedMember(em: EntityManager, teamId: string, userId: string): Promise<TeamMember> {
    const target = (await this.repo.lockMembers(em, teamId)).find((r) => r.userId === userId);
    if (!target) throw new NotFound('member');
    return target;
  }

  private async assertAnotherOwner(em: EntityManager, teamId: string): Promise<void> {
    if ((await this.repo.countOwners(em, teamId)) <= 1) throw new Conflict(`the team must keep at least one owner; make someone else an owner first`);
  }
}
