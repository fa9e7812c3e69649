import { WebClient } from '@slack/web-api';
import { OutgoingMessage, ReplyTarget, RetryLaterError } from '../../connections/platform-connector';
import { ChatPacer } from '../../connections/streaming/chat-pacer';
import { FinalPartOps, StreamPageOps } from '../../connections/streaming/paced-reply-stream';
import { chunkMrkdwn, markdownToMrkdwn, SlackMessageChunk } from './slack-format';

/** Slack allows about one chat.update per second per message (and a message per second per channel). */
export const SLACK_STREAM_INTERVAL_MS = 1000;

/** A 429's wait (from the Web API client, or already mapped to RetryLaterError), for the pacer. */
export function slackRetryAfterMs(e: unknown): number | undefined {
  if (e instanceof RetryLaterError) return e.delayMs;
  const err = e as { code?: string; retryAfter?: number };
  return err?.code === 'slack_webapi_rate_limited_error' ? Math.max(1, err.retryAfter ?? 1) * 1000 : undefined;
}

export const newSlackPacer = (nowMs: () => number): ChatPacer => new ChatPacer(SLACK_STREAM_INTERVAL_MS, slackRetryAfterMs, nowMs);

/** Threads (not slash-command pseudo threads) get the reply in the thread. */
export function slackThreadTs(threadId?: string | null): string | undefined {
  return threadId && !threadId.startsWith('slash:') ? threadId : undefined;
}

/**
 * While the runtime writes: the text so far in mrkdwn, split like the final reply (sections ≤ 3000, messages ≤ 12000
 * characters), each message shown as `text` only; the final update adds the section blocks.
 */
export function slackStreamOps(client: WebClient, target: ReplyTarget): StreamPageOps {
  const threadTs = slackThreadTs(target.threadId);
  return {
    pages: (text) => chunkMrkdwn(markdownToMrkdwn(text)).map((m) => m.blocks.map((b) => b.text.text).join('\n')),
    post: async (page) => String((await client.chat.postMessage({ channel: target.chatId, text: page, ...(threadTs ? { thread_ts: threadTs } : {}) })).ts),
    edit: async (ts, page) => {
      await client.chat.update({ channel: target.chatId, ts, text: page });
    },
  };
}

/** The final pass over a streamed reply: each message's blocks replace its streamed message; one that is gone is posted. */
export function slackFinalOps(client: WebClient, out: OutgoingMessage, mapError: (e: unknown) => Error): FinalPartOps<SlackMessageChunk> {
  const threadTs = slackThreadTs(out.threadId);
  const post = async (m: SlackMessageChunk): Promise<string> => {
    try {
      return String((await client.chat.postMessage({ channel: out.chatId, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) })).ts);
    } catch (e) {
      throw mapError(e);
    }
  };
  return {
    post,
    edit: async (ts, m) => {
      try {
        await client.chat.update({ channel: out.chatId, ts, text: m.text, blocks: m.blocks });
      } catch (e) {
        const reason = (e as { data?: { error?: string } }).data?.error;
        if (reason === 'message_not_found' || reason === 'cant_update_message') await post(m);
        else throw mapError(e);
      }
    },
    remove: async (ts) => {
      await client.chat.delete({ channel: out.chatId, ts });
    },
  };
}
