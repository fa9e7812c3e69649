import { OutgoingMessage, ReplyStream } from '../platform-connector';
import { ChatPacer } from './chat-pacer';

/** What a connector gives a streamed reply: how to page the text so far, and its platform calls. */
export interface StreamPageOps {
  /** The text so far as pages, each fitting one platform message (a page that grows past the limit rolls over). */
  pages(textSoFar: string): string[];
  /** Sends page `index` as a new message; resolves with its id. */
  post(page: string, index: number): Promise<string>;
  edit(id: string, page: string): Promise<void>;
}

/** After this many failed calls (other than 429s) a stream stops updating; the final text still goes out. */
const MAX_FAILURES = 3;
const INTERRUPTED = '\n\n… (interrupted)';

/**
 * The platform-neutral part of a streamed reply: keeps the latest text, and whenever the chat's pacer allows, makes
 * the one call that brings the shown messages closest to it — edit the first page that differs, or post the next
 * one. Calls are best effort (errors are counted, 429s pause the chat through the pacer); `timeoutMs` bounds each.
 */
export class PacedReplyStream implements ReplyStream {
  private latest = '';
  private readonly shown: { id: string; text: string }[] = [];
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private failures = 0;

  constructor(
    private readonly pacer: ChatPacer,
    private readonly key: string,
    private readonly ops: StreamPageOps,
    private readonly timeoutMs: number,
  ) {}

  update(textSoFar: string): void {
    if (this.closed) return;
    this.latest = textSoFar;
    this.kick();
  }

  async close(): Promise<string[]> {
    this.stop();
    await this.running;
    return this.shown.map((s) => s.id);
  }

  async abort(): Promise<string[]> {
    this.stop();
    await this.running;
    const last = this.shown.at(-1);
    if (last) await this.call(() => this.ops.edit(last.id, last.text + INTERRUPTED)).catch(() => undefined);
    return this.shown.map((s) => s.id);
  }

  private stop(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private kick(): void {
    if (this.running || this.timer || this.closed || this.failures >= MAX_FAILURES) return;
    const wait = this.pacer.waitMs(this.key);
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      return;
    }
    const step = this.nextStep();
    if (!step) return;
    this.running = this.call(step)
      .catch(() => {
        this.failures++; // a 429 also counts: the pacer already holds the chat back for its retry-after
      })
      .finally(() => {
        this.running = undefined;
        this.kick();
      });
  }

  private nextStep(): (() => Promise<void>) | undefined {
    const pages = this.ops.pages(this.latest);
    for (const [i, page] of pages.entries()) {
      const shown = this.shown[i];
      if (!shown) {
        return async () => {
          const id = await this.ops.post(page, i);
          this.shown[i] = { id, text: page };
        };
      }
      if (shown.text !== page) {
        return async () => {
          await this.ops.edit(shown.id, page);
          shown.text = page;
        };
      }
    }
    return undefined;
  }

  private call(fn: () => Promise<void>): Promise<void> {
    return this.pacer.run(this.key, () => withTimeout(fn(), this.timeoutMs));
  }
}

/** The final pass's calls for one platform: the formatted parts replace the streamed messages. */
export interface FinalPartOps<P> {
  /** Replaces message `id` with `part` (a "not modified" answer is success). */
  edit(id: string, part: P): Promise<void>;
  post(part: P, index: number): Promise<string>;
  /** Removes a streamed message the final text no longer needs (best effort). */
  remove(id: string): Promise<void>;
}

/**
 * Sends a reply's final parts over the messages its stream showed (`out.streamed`): part i edits streamed message i,
 * or is posted when there is none; streamed messages beyond the parts are removed. Resumes after the parts an earlier
 * attempt delivered and records each one, like any send; errors propagate (a 429 holds the event, and the retry sends
 * only what is left). Every call goes through the chat's pacer.
 */
export async function replaceStreamed<P>(pacer: ChatPacer, key: string, parts: P[], out: OutgoingMessage, ops: FinalPartOps<P>): Promise<{ externalMessageId?: string }> {
  const streamed = out.streamed ?? [];
  let first: string | undefined = streamed[0];
  for (const [i, part] of parts.entries()) {
    if (i < out.progress.delivered) continue;
    const id = streamed[i];
    if (id) await pacer.run(key, () => ops.edit(id, part));
    else {
      const posted = await pacer.run(key, () => ops.post(part, i));
      first ??= posted;
    }
    await out.progress.markDelivered(i + 1);
  }
  for (const extra of streamed.slice(parts.length)) await pacer.run(key, () => ops.remove(extra)).catch(() => undefined);
  return { externalMessageId: first };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
