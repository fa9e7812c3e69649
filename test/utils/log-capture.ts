import { PassThrough } from 'node:stream';

/** A log destination that keeps every line, so tests can assert what was (not) logged. */
export class LogCapture extends PassThrough {
  private chunks: string[] = [];

  constructor() {
    super();
    this.on('data', (d: Buffer) => this.chunks.push(d.toString('utf8')));
  }

  text(): string {
    return this.chunks.join('');
  }
}
