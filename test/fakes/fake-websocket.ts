import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * The server side of one WebSocket (RFC 6455), small enough for a loopback fake: text messages, ping → pong, the close
 * handshake, and an abrupt drop. Client frames are masked (as the RFC requires of clients); ours are not.
 * Emits `message` (text) and `close` (once, however it ended).
 */
export class FakeWebSocket extends EventEmitter {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closeSent = false;
  private closed = false;

  private constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.finish());
    // the peer went away without a close frame (its process died): the upgraded socket is half-open, end our side too
    socket.on('end', () => {
      socket.end();
      this.finish();
    });
    socket.on('error', () => this.finish());
  }

  /** Answers an HTTP upgrade request with 101 Switching Protocols; undefined (socket refused) when it is not a WebSocket one. */
  static accept(req: IncomingMessage, socket: Duplex, head: Buffer): FakeWebSocket | undefined {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return undefined;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const ws = new FakeWebSocket(socket);
    if (head.length) ws.onData(head);
    return ws;
  }

  get isOpen(): boolean {
    return !this.closed && !this.closeSent;
  }

  send(text: string): void {
    if (this.isOpen) this.socket.write(frame(0x1, Buffer.from(text, 'utf8')));
  }

  /** Starts the close handshake (the peer answers with its close frame, then we end the TCP connection). */
  close(code = 1000, reason = ''): void {
    if (!this.isOpen) return;
    this.closeSent = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.write(frame(0x8, payload));
  }

  /** Drops the TCP connection without any close frame (a network failure, as the client sees it). */
  drop(): void {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseFrame(this.buffer);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.size);
      this.onFrame(parsed.fin, parsed.opcode, parsed.payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0:
      case 0x1:
      case 0x2:
        this.fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.emit('message', text);
        }
        return;
      case 0x8: // close: answer it (unless we started it), then end the connection
        if (!this.closeSent) {
          this.closeSent = true;
          this.socket.write(frame(0x8, payload.subarray(0, 2)));
        }
        this.socket.end();
        this.finish();
        return;
      case 0x9:
        if (!this.closed) this.socket.write(frame(0xa, payload));
        return;
      default: // 0xA pong and anything else: nothing to do
    }
  }
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

function parseFrame(buf: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const fin = (buf[0] & 0x80) !== 0;
  const opcode = buf[0] & 0x0f;
  const masked = (buf[1] & 0x80) !== 0;
  let len = buf[1] & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskKey = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i % 4];
  return { fin, opcode, payload, size: offset + len };
}
