import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { OutboundHttpClient } from '../../http/outbound-http-client';
import { TranscriptionSettings } from './transcription-config';

const MAX_ANSWER_BYTES = 256 * 1024;

/** Speech-to-text failed. `transient` ones (network, timeout, 429, 5xx) are retried; the message never holds the key. */
export class TranscriptionError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'TranscriptionError';
  }
}

export interface AudioFile {
  data: Buffer;
  mime?: string;
  name?: string;
}

/**
 * Calls an agent's OpenAI-compatible `POST {baseUrl}/audio/transcriptions` (multipart: file, model; answer `{text}`)
 * through the SSRF-checked client: the URL is team-supplied. The audio is passed through from memory, never stored.
 */
@Injectable()
export class TranscriptionService {
  constructor(
    private readonly config: AppConfig,
    private readonly http: OutboundHttpClient,
  ) {}

  async transcribe(settings: TranscriptionSettings, apiKey: string | undefined, file: AudioFile): Promise<string> {
    const boundary = `----switchboard${randomBytes(12).toString('hex')}`;
    const name = (file.name ?? defaultName(file.mime)).replace(/["\r\n\\]/g, '_');
    const field = (n: string, v: string): Buffer => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`);
    const body = Buffer.concat([
      field('model', settings.model),
      field('response_format', 'json'),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${file.mime ?? 'application/octet-stream'}\r\n\r\n`),
      file.data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const timeoutMs = this.config.inbound.agentTimeoutMs;
    const res = await this.http.request({ url: `${settings.baseUrl}/audio/transcriptions`, method: 'POST', headers, body, timeoutMs, maxResponseBytes: MAX_ANSWER_BYTES });
    if (!res.ok) {
      const permanent = res.errorCode === 'SSRF_BLOCKED' || res.errorCode === 'INVALID_URL';
      throw new TranscriptionError(`the transcription API could not be called (${res.errorCode})`, !permanent);
    }
    if (res.status === 429 || res.status >= 500) throw new TranscriptionError(`the transcription API answered ${res.status}`, true);
    if (res.status < 200 || res.status >= 300) throw new TranscriptionError(`the transcription API refused the audio (${res.status})`, false);
    let text: unknown;
    try {
      text = (JSON.parse(res.body) as { text?: unknown }).text;
    } catch {
      text = undefined;
    }
    if (res.truncated || typeof text !== 'string') throw new TranscriptionError('the transcription API must answer JSON {"text": string}', false);
    return text.trim();
  }
}

function defaultName(mime: string | undefined): string {
  const ext = mime?.includes('ogg') ? 'ogg' : mime?.includes('mpeg') ? 'mp3' : mime?.includes('mp4') ? 'mp4' : mime?.includes('webm') ? 'webm' : mime?.includes('wav') ? 'wav' : 'bin';
  return `audio.${ext}`;
}
