import { ConnectorContext, IncomingMessage, InboundConnector } from '../connections/platform-connector';

/** Shown again this long before a fading sign would disappear (the call's own latency). */
const REFRESH_MARGIN_MS = 1000;

/**
 * The platform's "the agent is working" sign (Telegram's typing…, Slack's :eyes:), shown only when the agent takes
 * longer than `delayMs`: a fast answer costs no platform call, and the agent call never waits for the sign. A sign
 * that fades by itself (`workingSignMs`: Telegram's lasts 5 s) is shown again until the answer is ready, so an agent
 * that thinks for a minute shows typing… for a minute.
 */
export class WorkingIndicator {
  private timer?: NodeJS.Timeout;
  private shown?: Promise<void>;
  /** Settled, or the platform refused a sign: nothing more is sent. */
  private stopped = false;

  constructor(
    private readonly connector: InboundConnector,
    private readonly ctx: ConnectorContext,
    private readonly incoming: IncomingMessage,
    delayMs: number,
  ) {
    if (!connector.startWorking) return;
    if (delayMs <= 0) this.show();
    else this.timer = setTimeout(() => this.show(), delayMs);
  }

  private show(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const call = (): Promise<void> => this.connector.startWorking?.(this.ctx, this.incoming) ?? Promise.resolve();
    // one call at a time: a refresh waits for a slow previous call instead of overtaking it, and is dropped once stopped
    // a sign the platform refused (a 429, a chat gone) is not sent again this turn: it is not worth a rate limit
    this.shown = (this.shown ? this.shown.then(() => (this.stopped ? undefined : call())) : call()).catch(() => this.stopRefreshing());
    const lasts = this.connector.workingSignMs;
    if (lasts) this.timer = setTimeout(() => this.show(), Math.max(REFRESH_MARGIN_MS, lasts - REFRESH_MARGIN_MS));
  }

  private stopRefreshing(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The answer is ready: no sign from now on. Waits for a sign already on its way, so it never lands after the reply.
   * Returns whether it was shown (then the reply's delivery takes it down again).
   */
  async settle(): Promise<boolean> {
    this.stopRefreshing();
    if (!this.shown) return false;
    await this.shown;
    return true;
  }
}
