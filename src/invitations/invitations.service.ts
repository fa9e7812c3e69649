import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import { TokenResponse } from '../auth/dto/login.dto';
import { AuthUser, TeamRole } from '../common/decorators';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../common/errors';
import { Page, PageQuery, mapPage } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { advisoryXactLock } from '../database/advisory-xact-lock';
import { MemberView, TeamView, TeamsService } from '../teams/teams.service';
import { UsersService, normalizeEmail } from '../users/users.service';
import { Invitation } from './entities/invitation.entity';
import { InvitationNeedsSignIn, InvitationNotFound } from './invitation.errors';
import { hashInvitationToken, looksLikeInvitationToken, newInvitationToken } from './invitation-token';
import { InvitationsRepository } from './invitations.repository';
import { auditBefore } from '../audit/audit-context';
import { Clock } from '../common/clock';

export interface InvitationView {
  id: string;
  teamId: string;
  email: string;
  role: TeamRole;
  invitedById: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** The answer to an invite: the same shape whether or not the email has an account. */
export interface CreatedInvitation extends InvitationView {
  /** Shown once; only its SHA-256 is stored. */
  token: string;
  /** The API route that accepts it (POST), built from PUBLIC_BASE_URL. */
  acceptUrl: string;
}

export interface MyInvitationView {
  id: string;
  team: { id: string; name: string };
  email: string;
  role: TeamRole;
  expiresAt: Date;
  createdAt: Date;
}

export interface AcceptedInvitation {
  team: TeamView;
  member: MemberView;
  /** Only when the account was created by this call: signed in at once. */
  session?: TokenResponse;
}

const toView = (i: Invitation): InvitationView => ({
  id: i.id,
  teamId: i.teamId,
  email: i.email,
  role: i.role,
  invitedById: i.invitedById,
  expiresAt: i.expiresAt,
  createdAt: i.createdAt,
});

const isUniqueViolation = (e: unknown): boolean =>
  e instanceof QueryFailedError && (e as QueryFailedError & { code?: string }).code === '23505';

@Injectable()
export class InvitationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: InvitationsRepository,
    private readonly teams: TeamsService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Invites `email` with `role`. Never looks at whether the email has an account, so known and unknown emails get
   * the same answer. Inviting an email that already has an open invitation to this team replaces it (the old token
   * stops working). Only owners invite (or replace the invitation of) an owner; someone already in the team is 409,
   * which tells owners and admins nothing the member list does not.
   */
  async create(teamId: string, actor: { id: string | null; role: TeamRole }, input: { email: string; role: TeamRole }): Promise<CreatedInvitation> {
    if (input.role === 'owner' && actor.role !== 'owner') throw new Forbidden('only an owner can invite an owner');
    const email = normalizeEmail(input.email);
    if (await this.teams.hasMemberWithEmail(teamId, email)) throw new Conflict(`${email} is already a member of this team`);
    const { token, hash } = newInvitationToken();
    const saved = await this.dataSource.transaction(async (em) => {
      // one open invitation per team and email: serialize concurrent invites of the same address
      await advisoryXactLock(em, `invitation:${teamId}:${email}`);
      const open = await this.repo.findOpen(em, teamId, email);
      if (open) {
        if (open.role === 'owner' && open.expiresAt > this.clock.now() && actor.role !== 'owner') {
          throw new Forbidden('only an owner can replace the invitation of an owner');
        }
        await this.repo.revoke(em, open.id, this.clock.now());
      }
      const expiresAt = new Date(this.clock.nowMs() + this.config.invitations.ttlHours * 3_600_000);
      return this.repo.insert(em, { teamId, email, role: input.role, tokenHash: hash, invitedById: actor.id, expiresAt });
    });
    return { ...toView(saved), token, acceptUrl: `${this.config.publicBaseUrl}/v1/invitations/${token}/accept` };
  }

  /** Pending invitations of a team (open and not expired), newest first. */
  async listPending(teamId: string, page: PageQuery): Promise<Page<InvitationView>> {
    return mapPage(await this.repo.listPendingOfTeam(teamId, this.clock.now(), page), toView);
  }

  /** Revokes a pending invitation; its token stops working. Only owners revoke an owner's invitation. */
  async revoke(teamId: string, actorRole: TeamRole, invitationId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const inv = await this.repo.lockPending(em, teamId, invitationId, this.clock.now());
      if (!inv) throw new NotFound('invitation');
      auditBefore(toView(inv));
      if (inv.role === 'owner' && actorRole !== 'owner') throw new Forbidden('only an owner can revoke the invitation of an owner');
      await this.repo.revoke(em, inv.id, this.clock.now());
    });
  }

  /** Pending invitations addressed to the signed-in user's email (accepting still needs the token). */
  async listForUser(user: AuthUser, page: PageQuery): Promise<Page<MyInvitationView>> {
    const p = await this.repo.listPendingOfEmail(normalizeEmail(user.email), this.clock.now(), page);
    const names = await this.teams.namesOf(p.data.map((i) => i.teamId));
    // an invitation goes with its team (foreign key, cascading delete): a name is missing only if the team went meanwhile
    const live = { data: p.data.filter((i) => names.has(i.teamId)), nextCursor: p.nextCursor };
    return mapPage(live, (i) => ({
      id: i.id,
      team: { id: i.teamId, name: names.get(i.teamId) as string },
      email: i.email,
      role: i.role,
      expiresAt: i.expiresAt,
      createdAt: i.createdAt,
    }));
  }

  /**
   * Uses a token once. Signed in: the user's email must be the invited one. Not signed in: `password` creates the
   * account for the invited email — only when it has none; an existing account must sign in (never taken over).
   */
  async accept(token: string, caller: AuthUser | undefined, input: { name?: string; password?: string }): Promise<AcceptedInvitation> {
    if (caller && (input.password !== undefined || input.name !== undefined)) {
      const field = input.password !== undefined ? 'password' : 'name';
      const message = `${field} is only for creating an account; you are signed in, send no body`;
      throw new ValidationFailed(message, [{ field, messages: [message] }]);
    }
    if (!looksLikeInvitationToken(token)) throw new InvitationNotFound();
    let created: { id: string; email: string } | undefined;
    const { teamId, userId, role } = await this.dataSource.transaction(async (em) => {
      const inv = await this.repo.lockPendingByTokenHash(em, hashInvitationToken(token), this.clock.now());
      if (!inv) throw new InvitationNotFound();
      let userId: string;
      if (caller) {
        if (normalizeEmail(caller.email) !== inv.email) throw new InvitationNotFound();
        userId = caller.id;
      } else {
        if (!input.password) throw new InvitationNeedsSignIn();
        created = await this.createAccount(em, inv.email, input.password, input.name);
        userId = created.id;
      }
      await this.teams.insertMember(em, inv.teamId, userId, inv.role);
      await this.repo.markAccepted(em, inv.id, this.clock.now(), userId);
      return { teamId: inv.teamId, userId, role: inv.role };
    });
    const [team, member] = await Promise.all([this.teams.get(teamId, role), this.teams.getMember(teamId, userId)]);
    const session = created ? await this.auth.issue(created.id, created.email) : undefined;
    return { team, member, ...(session ? { session } : {}) };
  }

  private async createAccount(em: EntityManager, email: string, password: string, name?: string): Promise<{ id: string; email: string }> {
    try {
      return await this.users.create({ email, password, name }, em);
    } catch (e) {
      // the email has an account (or got one a moment ago): same answer as without a password
      if (e instanceof Conflict || isUniqueViolation(e)) throw new InvitationNeedsSignIn();
      throw e;
    }
  }
}
