import { ConnectorContext, IncomingMessage, InboundConnector } from '../connections/platform-connector';

/**
 * The platform's "the agent is working" sign (Telegram's typing…, Slack's :eyes:), shown only when the agent takes
 * longer than `delayMs`: a fast answer costs no platform call, and the agent call never waits for the sign.
 */
export class WorkingIndicator {
  private timer?: NodeJS.Timeout;
  private shown?: Promise<void>;

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
    this.shown = (this.connector.startWorking?.(this.ctx, this.incoming) ?? Promise.resolve()).catch(() => undefined);
  }

  /**
   * The answer is ready: no sign from now on. Waits for a sign already on its way, so it never lands after the reply.
   * Returns whether it was shown (then the reply's delivery takes it down again).
   */
  async settle(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.shown) return false;
    await this.shown;
    return true;
  }
}
