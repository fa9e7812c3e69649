import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { statementBatcher } from '../database/statement-batcher';
import { MessageRole } from './entities/message.entity';

/** One message as an agent runtime reads it. */
export interface HistoryMessage {
  role: MessageRole;
  content: string;
}

interface HistoryCall {
  conversationId: string;
  limit: number;
}

/**
 * A conversation's recent messages, read for each agent turn. Turns of many conversations starting at the same
 * moment read theirs in one statement (one index range per conversation: message (conversation_id, seq)).
 */
@Injectable()
export class MessageHistoryRepository {
  private readonly batch = statementBatcher<HistoryCall, HistoryMessage[]>((calls) => this.recentMany(calls));

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The conversation's last `limit` messages, oldest first. */
  recent(conversationId: string, limit: number): Promise<HistoryMessage[]> {
    return this.batch({ conversationId, limit });
  }

  private async recentMany(calls: readonly HistoryCall[]): Promise<HistoryMessage[][]> {
    const rows = (await this.dataSource.query(
      `SELECT k.ord::int AS ord, m.role, m.content
       FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS k(conversation_id, lim, ord)
       CROSS JOIN LATERAL (
         SELECT role, content, seq FROM message WHERE conversation_id = k.conversation_id ORDER BY seq DESC LIMIT k.lim
       ) m
       ORDER BY k.ord, m.seq`,
      [calls.map((c) => c.conversationId), calls.map((c) => c.limit)],
    )) as { ord: number; role: MessageRole; content: string }[];
    const out: HistoryMessage[][] = calls.map(() => []);
    for (const r of rows) out[r.ord - 1].push({ role: r.role, content: r.content });
    return out;
  }
}
