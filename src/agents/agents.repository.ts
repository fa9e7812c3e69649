import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Page, PageQuery, paginate } from '../common/pagination';
import { Agent, AgentStatus } from './entities/agent.entity';
import { retryOnDeadlock } from '../database/pg-errors';

/** The agent table's statements; methods taking `em` run in the caller's transaction. */
@Injectable()
export class AgentsRepository {
  constructor(@InjectRepository(Agent) private readonly agents: Repository<Agent>) {}

  private repo(em?: EntityManager): Repository<Agent> {
    return em ? em.getRepository(Agent) : this.agents;
  }

  /** A new, unsaved agent. */
  build(fields: Partial<Agent>): Agent {
    return this.agents.create(fields);
  }

  save(agent: Agent, em?: EntityManager): Promise<Agent> {
    return this.repo(em).save(agent);
  }

  find(teamId: string, id: string, em?: EntityManager): Promise<Agent | null> {
    return this.repo(em).findOneBy({ id, teamId });
  }

  /** The agent locked FOR UPDATE (in `em`'s transaction). */
  lock(em: EntityManager, teamId: string, id: string): Promise<Agent | null> {
    return em.getRepository(Agent).findOne({ where: { id, teamId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The agent with its encrypted columns (not selected by default); `teamId` narrows it to one team. */
  findWithSecrets(id: string, teamId?: string, em?: EntityManager): Promise<Agent | null> {
    const qb = this.repo(em).createQueryBuilder('a').addSelect(['a.runtimeSecretsEncrypted', 'a.transcriptionKeyEncrypted']).where('a.id = :id', { id });
    if (teamId) qb.andWhere('a.teamId = :teamId', { teamId });
    return qb.getOne();
  }

  /** findWithSecrets for many agents in one statement (the agent turns of many conversations at the same moment). */
  findManyWithSecrets(ids: string[]): Promise<Agent[]> {
    return this.repo().createQueryBuilder('a').addSelect(['a.runtimeSecretsEncrypted', 'a.transcriptionKeyEncrypted']).where('a.id IN (:...ids)', { ids }).getMany();
  }

  list(teamId: string, page: PageQuery, status?: AgentStatus): Promise<Page<Agent>> {
    const qb = this.agents.createQueryBuilder('a').where('a.teamId = :teamId', { teamId });
    if (status) qb.andWhere('a.status = :status', { status });
    return paginate(qb, page);
  }

  /** The ids among `ids` of agents whose status is `status`. */
  async idsWithStatus(ids: readonly string[], status: AgentStatus): Promise<string[]> {
    if (!ids.length) return [];
    return (await this.agents.find({ select: { id: true }, where: { id: In([...ids]), status } })).map((a) => a.id);
  }

  /** The team's slugs equal to `base` or starting with `base-`. */
  async slugsLike(teamId: string, base: string): Promise<string[]> {
    const rows = await this.agents
      .createQueryBuilder('a')
      .select('a.slug', 'slug')
      .where('a.teamId = :teamId', { teamId })
      .andWhere('(a.slug = :base OR a.slug LIKE :like)', { base, like: `${base}-%` })
      .getRawMany<{ slug: string }>();
    return rows.map((r) => r.slug);
  }

  /** Deletes the agent; false when there was none. */
  async delete(teamId: string, id: string): Promise<boolean> {
    return !!(await retryOnDeadlock(() => this.agents.delete({ id, teamId }))).affected; // cascades into busy conversations' rows
  }
}
