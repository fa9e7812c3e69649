/**
 * An incremental server-sent-events reader (the `data` field only, which is all agent runtimes send): feed it text as
 * it arrives; each event's data (several `data:` lines joined by "\n") goes to `onEvent` at the blank line that ends
 * it. Comments (`:…`) and other fields are skipped; CR, LF and CRLF line ends are accepted, split across pieces too.
 */
export class SseReader {
  private buffer = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (data: string) => void) {}

  feed(text: string): void {
    this.buffer += text;
    let start = 0;
    for (;;) {
      const rest = this.buffer.slice(start);
      const m = /\r\n|\n|\r(?=[^\n])/.exec(rest); // a CR at the very end may be half of a CRLF: wait for more
      if (!m) break;
      this.line(rest.slice(0, m.index));
      start += m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(start);
  }

  /** The body ended: a last event without its blank line still counts. */
  end(): void {
    if (this.buffer) this.line(this.buffer.replace(/\r$/, ''));
    this.buffer = '';
    this.line('');
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon < 0 ? '' : line.slice(colon + 1);
    this.data.push(value.startsWith(' ') ? value.slice(1) : value);
  }
}
