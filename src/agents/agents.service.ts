import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Conflict, NotFound } from '../common/errors';
import { Page, PageQuery, paginate } from '../common/pagination';
import { CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';
import { Agent, AgentStatus } from './entities/agent.entity';

export interface AgentStatusChange {
  agent: Agent;
  previousStatus: AgentStatus;
  status: AgentStatus;
}

/** Called inside the transaction that changed an agent's status (the outbox publishes from here). */
export type AgentStatusListener = (em: EntityManager, change: AgentStatusChange) => Promise<void>;

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

@Injectable()
export class AgentsService {
  private readonly statusListeners: AgentStatusListener[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Agent) private readonly agents: Repository<Agent>,
  ) {}

  onStatusChange(listener: AgentStatusListener): void {
    this.statusListeners.push(listener);
  }

  async create(teamId: string, dto: CreateAgentDto): Promise<Agent> {
    const base = dto.slug ?? slugify(dto.name);
    const slug = dto.slug ? base : await this.freeSlug(teamId, base);
    try {
      return await this.agents.save(
        this.agents.create({
          teamId,
          name: dto.name,
          slug,
          description: dto.description ?? null,
          status: dto.status ?? 'active',
          runtime: dto.runtime ? { ...dto.runtime } : { type: 'echo' },
        }),
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an agent with slug "${slug}" already exists in this team`);
      throw e;
    }
  }

  list(teamId: string, page: PageQuery, status?: AgentStatus): Promise<Page<Agent>> {
    const qb = this.agents.createQueryBuilder('a').where('a.teamId = :teamId', { teamId });
    if (status) qb.andWhere('a.status = :status', { status });
    return paginate(qb, page);
  }

  async get(teamId: string, agentId: string, manager?: EntityManager): Promise<Agent> {
    const repo = manager ? manager.getRepository(Agent) : this.agents;
    const agent = await repo.findOneBy({ id: agentId, teamId });
    if (!agent) throw new NotFound('agent');
    return agent;
  }

  async update(teamId: string, agentId: string, dto: UpdateAgentDto): Promise<Agent> {
    try {
      return await this.dataSource.transaction(async (em) => {
        const repo = em.getRepository(Agent);
        const agent = await repo.findOne({ where: { id: agentId, teamId }, lock: { mode: 'pessimistic_write' } });
        if (!agent) throw new NotFound('agent');
        const previousStatus = agent.status;
        if (dto.name !== undefined) agent.name = dto.name;
        if (dto.slug !== undefined) agent.slug = dto.slug;
        if (dto.description !== undefined) agent.description = dto.description;
        if (dto.status !== undefined) agent.status = dto.status;
        if (dto.runtime !== undefined) agent.runtime = { ...dto.runtime };
        const saved = await repo.save(agent);
        if (previousStatus !== saved.status) {
          for (const l of this.statusListeners) await l(em, { agent: saved, previousStatus, status: saved.status });
        }
        return saved;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`an agent with slug "${dto.slug}" already exists in this team`);
      throw e;
    }
  }

  async remove(teamId: string, agentId: string): Promise<void> {
    const res = await this.agents.delete({ id: agentId, teamId });
    if (!res.affected) throw new NotFound('agent');
  }

  private async freeSlug(teamId: string, base: string): Promise<string> {
    const taken = await this.agents
      .createQueryBuilder('a')
      .select('a.slug', 'slug')
      .where('a.teamId = :teamId', { teamId })
      .andWhere('(a.slug = :base OR a.slug LIKE :like)', { base, like: `${base}-%` })
      .getRawMany<{ slug: string }>();
    const set = new Set(taken.map((t) => t.slug));
    if (!set.has(base)) return base;
    for (let i = 2; ; i++) if (!set.has(`${base}-${i}`)) return `${base}-${i}`;
  }
}
