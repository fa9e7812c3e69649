import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Conflict, NotFound, ValidationFailed } from '../common/errors';
import { CredentialCipher } from '../crypto/credential-cipher';
import { KeyRotationService } from '../crypto/key-rotation.service';
import { EventPublisher } from '../events/event-publisher';
import { OutboundHttpClient } from '../http/outbound-http-client';
import { checkRuntime, runtimeUrlOf, RuntimeSecrets } from './runtimes/runtime-config';
import { checkTranscription } from './transcription/transcription-config';
import { Page, PageQuery } from '../common/pagination';
import { AgentsRepository } from './agents.repository';
import { CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';
import { Agent, AgentStatus } from './entities/agent.entity';
import { auditBefore } from '../audit/audit-context';
import { Clock } from '../common/clock';
import { Ids } from '../common/ids';
import { statementBatcher } from '../database/statement-batcher';

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 90)
    .replace(/-+$/g, '');
  return s || 'agent';
}

const isUniqueViolation = (e: unknown): boolean => (e as { code?: string }).code === '23505';

/** An agent as the API shows it; a runtime secret we just generated appears once, in place of its hint. */
export type AgentView = Omit<Agent, 'runtimeSecretsEncrypted' | 'transcriptionKeyEncrypted' | 'team'>;

/** What one agent turn needs: the agent, its decrypted runtime secrets and (when set) its transcription API key. */
export interface AgentForTurn {
  agent: Agent;
  secrets: RuntimeSecrets;
  transcriptionKey?: string;
}

/** How long loadForTurn's answer is reused. */
const TURN_CACHE_MS = 1000;

const RUNTIME_AAD = (id: string) => ({ table: 'agent', rowId: id, field: 'runtime_secrets' });
const TRANSCRIPTION_AAD = (id: string) => ({ table: 'agent', rowId: id, field: 'transcription_key' });

@Injectable()
export class AgentsService implements OnModuleInit {
  private readonly turnCache = new Map<string, { value: AgentForTurn; at: number }>();
  /** Turns of many conversations starting at the same moment load their agents in one statement. */
  private readonly turnLoads = statementBatcher<string, AgentForTurn | null>((ids) => this.loadForTurnMany(ids));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AgentsRepository,
    private readonly cipher: CredentialCipher,
    private readonly rotation: KeyRotationService,
    private readonly http: OutboundHttpClient,
    private readonly events: EventPublisher,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {}

  onModuleInit(): void {
    this.rotation.register({ table: 'agent', column: 'runtime_secrets_encrypted', field: 'runtime_secrets' });
    this.rotation.register({ table: 'agent', column: 'transcription_key_encrypted', field: 'transcription_key' });
  }

  /**
   * An agent with its runtime settings and decrypted secrets, in one query (one agent turn); null when deleted. Kept for
   * TURN_CACHE_MS so a burst of messages to one agent loads it once; a change made through this process is seen at
   * once, one made through another replica within TURN_CACHE_MS.
   */
  async loadForTurn(agentId: string, teamId?: string): Promise<AgentForTurn | null> {
    const hit = this.turnCache.get(agentId);
    if (hit && this.clock.nowMs() - hit.at < TURN_CACHE_MS && (!teamId || hit.value.agent.teamId === teamId)) return hit.value;
    const value = await this.loadForTurnNow(agentId, teamId);
    if (value) this.turnCache.set(agentId, { value, at: this.clock.nowMs() });
    if (this.turnCache.size > 10_000) this.turnCache.clear();
    return value;
  }

  private async loadForTurnNow(agentId: string, teamId?: string): Promise<AgentForTurn | null> {
    if (!teamId) return this.turnLoads(agentId);
    const row = await this.repo.findWithSecrets(agentId, teamId);
    return row ? this.forTurn(row) : null;
  }

  private async loadForTurnMany(ids: readonly string[]): Promise<(AgentForTurn | null | Error)[]> {
    const rows = await this.repo.findManyWithSecrets([...new Set(ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      try {
        return row ? this.forTurn(row) : null;
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e)); // secrets that cannot be decrypted fail this agent's turns alone
      }
    });
  }

  private forTurn(row: Agent): AgentForTurn {
    const { runtimeSecretsEncrypted: env, transcriptionKeyEncrypted: tk, ...agent } = row;
    return {
      agent: agent as Agent,
      secrets: env ? this.cipher.decryptJson<RuntimeSecrets>(env, RUNTIME_AAD(row.id)) : {},
      ...(tk ? { transcriptionKey: this.cipher.decrypt(tk, TRANSCRIPTION_AAD(row.id)) } : {}),
    };
  }

  private applyRuntime(agent: Agent, input: Record<string, unknown>, previous?: { runtime: Agent['runtime']; secrets: RuntimeSecrets }): RuntimeSecrets {
    const r = checkRuntime(input, previous);
    if ('problems' in r) throw new ValidationFailed(r.problems.flatMap((p) => p.messages).join('; '), r.problems);
    agent.runtime = r.ok.runtime;
    agent.runtimeSecretsEncrypted = Object.keys(r.ok.secrets).length ? this.cipher.encryptJson(r.ok.secrets, RUNTIME_AAD(agent.id)) : null;
    return r.ok.generated;
  }

  /** Sets (object), keeps (undefined) or removes (null) the agent's transcription settings and encrypted key. */
  private applyTranscription(agent: Agent, input: Record<string, unknown> | null | undefined, previousKey?: string): void {
    if (input === undefined) return;
    if (input === null) {
      agent.transcription = null;
      agent.transcriptionKeyEncrypted = null;
      return;
    }
    const r = checkTranscription(input, previousKey);
    if ('problems' in r) throw new ValidationFailed(r.problems.flatMap((p) => p.messages).join('; '), r.problems);
    agent.transcription = r.ok.settings;
    agent.transcriptionKeyEncrypted = r.ok.apiKey ? this.cipher.encrypt(r.ok.apiKey, TRANSCRIPTION_AAD(agent.id)) : null;
  }

  /**
   * The runtime's URL must be one we may call: http(s), no userinfo, and (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS)
   * not resolving to a private or reserved address. Checked before any transaction (it may wait on DNS); the
   * address is checked again at every call, so a name that later resolves elsewhere is still refused then.
   */
  private async checkRuntimeUrl(input: Record<string, unknown>, transcription?: boolean): Promise<void> {
    const target = transcription
      ? typeof input.baseUrl === 'string'
        ? { field: 'transcription.baseUrl', url: input.baseUrl }
        : undefined
      : runtimeUrlOf(input);
    if (!target) return;
    const problem = await this.http.checkUrl(target.url.trim());
    if (!problem) return;
    const hint = problem.code === 'SSRF_BLOCKED' ? '; agent runtimes must be reachable on the public internet' : '';
    const message = `${target.field} ${problem.detail}${hint}`;
    throw new ValidationFailed(message, [{ field: target.field, messages: [message] }]);
  }

  toView(agent: Agent, generated: RuntimeSecrets = {}): AgentView {
    const { runtimeSecretsEncrypted: _s, transcriptionKeyEncrypted: _k, team: _t, ...rest } = agent;
    return { ...rest, transcription: rest.transcription ?? null, runtime: { ...rest.runtime, ...generated } };
  }

  async create(teamId: string, dto: CreateAgentDto): Promise<AgentView> {
    const base = dto.slug ?? slugify(dto.name);
    const agent = this.repo.build({
      id: this.ids.uuid(),
      teamId,
      name: dto.name,
      description: dto.description ?? null,
      status: dto.status ?? 'active',
    });
    const runtime = dto.runtime ?? { type: 'echo' };
    await this.checkRuntimeUrl(runtime);
    if (dto.transcription) await this.checkRuntimeUrl(dto.transcription, true);
    const generated = this.applyRuntime(agent, runtime);
    agent.transcription = null;
    this.applyTranscription(agent, dto.transcription);
    const slug = dto.slug ? base : await this.freeSlug(teamId, base);
    agent.slug = slug;
    try {
      return this.toView(await this.repo.save(agent), generated);
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an agent with slug "${slug}" already exists in this team`);
      throw e;
    }
  }

  async list(teamId: string, page: PageQuery, status?: AgentStatus): Promise<Page<AgentView>> {
    const p = await this.repo.list(teamId, page, status);
    return { data: p.data.map((a) => this.toView(a)), nextCursor: p.nextCursor };
  }

  async get(teamId: string, agentId: string, manager?: EntityManager): Promise<Agent> {
    const agent = await this.repo.find(teamId, agentId, manager);
    if (!agent) throw new NotFound('agent');
    return agent;
  }

  /** Which of the agents `ids` are active (unknown ids are not). */
  async activeAmong(ids: readonly string[]): Promise<Set<string>> {
    return new Set(await this.repo.idsWithStatus([...new Set(ids)], 'active'));
  }

  async update(teamId: string, agentId: string, dto: UpdateAgentDto): Promise<AgentView> {
    if (dto.runtime !== undefined) await this.checkRuntimeUrl(dto.runtime);
    if (dto.transcription) await this.checkRuntimeUrl(dto.transcription, true);
    this.turnCache.delete(agentId);
    try {
      return await this.dataSource.transaction(async (em) => {
        const agent = await this.repo.lock(em, teamId, agentId);
        if (!agent) throw new NotFound('agent');
        auditBefore(this.toView(agent));
        // the stored secrets (columns not loaded by default), from the row locked above
        const stored = dto.runtime !== undefined || dto.transcription ? await this.repo.findWithSecrets(agentId, teamId, em) : null;
        let generated: RuntimeSecrets = {};
        if (dto.runtime !== undefined) {
          const env = stored?.runtimeSecretsEncrypted;
          const secrets = env ? this.cipher.decryptJson<RuntimeSecrets>(env, RUNTIME_AAD(agentId)) : {};
          generated = this.applyRuntime(agent, dto.runtime, { runtime: agent.runtime, secrets });
        }
        if (dto.transcription) {
          const tk = stored?.transcriptionKeyEncrypted;
          this.applyTranscription(agent, dto.transcription, tk ? this.cipher.decrypt(tk, TRANSCRIPTION_AAD(agentId)) : undefined);
        } else if (dto.transcription === null) {
          this.applyTranscription(agent, null);
        }
        const previousStatus = agent.status;
        if (dto.name !== undefined) agent.name = dto.name;
        if (dto.slug !== undefined) agent.slug = dto.slug;
        if (dto.description !== undefined) agent.description = dto.description;
        if (dto.status !== undefined) agent.status = dto.status;
        const saved = await this.repo.save(agent, em);
        if (previousStatus !== saved.status) await this.publishStatusChange(em, saved, previousStatus);
        return this.toView(saved, generated);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an agent with slug "${dto.slug}" already exists in this team`);
      throw e;
    } finally {
      this.turnCache.delete(agentId); // a turn that loaded it during the transaction must not keep the old one
    }
  }

  async remove(teamId: string, agentId: string): Promise<void> {
    this.turnCache.delete(agentId);
    const before = await this.repo.find(teamId, agentId);
    if (before) auditBefore(this.toView(before));
    if (!(await this.repo.delete(teamId, agentId))) throw new NotFound('agent');
  }

  /** `agent.status_changed`, in the transaction that changed it. */
  private async publishStatusChange(em: EntityManager, agent: Agent, from: AgentStatus): Promise<void> {
    await this.events.publish(em, {
      type: 'agent.status_changed',
      teamId: agent.teamId,
      data: { agent_id: agent.id, name: agent.name, slug: agent.slug, from, to: agent.status, changed_at: this.clock.now().toISOString() },
    });
  }

  private async freeSlug(teamId: string, base: string): Promise<string> {
    const set = new Set(await this.repo.slugsLike(teamId, base));
    if (!set.has(base)) return base;
    for (let i = 2; ; i++) if (!set.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}
