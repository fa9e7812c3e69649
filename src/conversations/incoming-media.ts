import { Injectable, Logger } from '@nestjs/common';
import { RuntimeAttachment } from '../agents/runtimes/runtime.types';
import { TranscriptionError, TranscriptionService } from '../agents/transcription/transcription.service';
import { AppConfig } from '../config/app-config';
import { ConnectorContext, IncomingAttachment, IncomingMessage, PlatformConnector } from '../connections/platform-connector';
import { FileUnavailableError, isFileDownloader } from '../connections/platform-files';
import type { TurnAgent } from './agent-turn.service';

/** Kinds that are speech: transcribed when the agent has `transcription`. */
const VOICE_KINDS = new Set<IncomingAttachment['kind']>(['voice', 'audio', 'video_note']);

export const VOICE_UNSUPPORTED_REPLY = 'Sorry — this agent does not understand voice messages. Please type your message instead.';
export const TRANSCRIPTION_FAILED_REPLY = 'Sorry — I could not transcribe that voice message. Please type your message instead.';
export const FILE_UNAVAILABLE_REPLY = 'Sorry — I could not get that file. Please send it again.';

/** What the agent gets for a platform message, or the reply the user gets instead of an agent call. */
export type PreparedMessage =
  | { kind: 'ready'; text: string; metadata: Record<string, unknown>; attachments: RuntimeAttachment[] }
  | { kind: 'refused'; reply: string; metadata: Record<string, unknown> };

/**
 * Voice and files of an incoming message (README "Voice and files"): voice notes, audio and video notes are
 * downloaded through the platform and transcribed with the agent's `transcription` (the transcript becomes the
 * message text); photos and documents are downloaded for runtimes that take them (`openai`: images; `http`: every
 * file) and passed to the runtime for this one call. File bytes live in memory only, read at most
 * ATTACHMENT_MAX_BYTES; a file over the cap, a voice note over VOICE_MAX_SECONDS, or a voice note for an agent that
 * cannot take one (no transcription and not `http`) is answered with a reply saying so, without calling the agent.
 */
@Injectable()
export class IncomingMedia {
  private readonly logger = new Logger('IncomingMedia');

  constructor(
    private readonly config: AppConfig,
    private readonly transcription: TranscriptionService,
  ) {}

  /**
   * `stored`: the user's message was stored by an earlier attempt (its transcript with it), so only the files for the
   * runtime are fetched again. Throws (to be retried) on transient download or transcription failures.
   */
  async prepare(connector: PlatformConnector, ctx: ConnectorContext, turn: TurnAgent, incoming: IncomingMessage, opts: { stored: boolean }): Promise<PreparedMessage> {
    const all = incoming.attachments;
    const metadata: Record<string, unknown> = all.length ? { attachments: all } : {};
    if (!all.length || !isFileDownloader(connector)) return { kind: 'ready', text: incoming.text, metadata, attachments: [] };
    const { maxBytes, voiceMaxSeconds } = this.config.media;
    const runtimeType = String(turn.agent.runtime.type);
    const settings = turn.agent.transcription;
    const transcribes = !!settings;

    const voices = all.filter((a) => VOICE_KINDS.has(a.kind));
    if (voices.length && !transcribes && runtimeType !== 'http') return { kind: 'refused', reply: VOICE_UNSUPPORTED_REPLY, metadata: { ...metadata, refused: 'voice_unsupported' } };
    const toTranscribe = transcribes ? voices : [];
    const forRuntime = all.filter((a) => !toTranscribe.includes(a) && wantedBy(runtimeType, a));
    const fetched = [...toTranscribe, ...forRuntime];

    const tooLong = voices.find((a) => fetched.includes(a) && a.duration !== undefined && a.duration > voiceMaxSeconds);
    if (tooLong) return { kind: 'refused', reply: tooLongReply(voiceMaxSeconds), metadata: { ...metadata, refused: 'too_long' } };
    if (fetched.some((a) => a.size !== undefined && a.size > maxBytes)) return { kind: 'refused', reply: tooLargeReply(maxBytes), metadata: { ...metadata, refused: 'too_large' } };

    const transcripts: string[] = [];
    const attachments: RuntimeAttachment[] = [];
    for (const a of opts.stored ? forRuntime : fetched) {
      let got;
      try {
        got = await connector.downloadFile(ctx, a, maxBytes);
      } catch (e) {
        if (!(e instanceof FileUnavailableError)) throw e;
        this.logger.warn(`connection ${ctx.connection.id}: ${a.kind} not downloaded: ${e.message}`);
        return { kind: 'refused', reply: FILE_UNAVAILABLE_REPLY, metadata: { ...metadata, refused: 'file_unavailable', fileError: e.message } };
      }
      if (got.kind === 'too_large') return { kind: 'refused', reply: tooLargeReply(maxBytes), metadata: { ...metadata, refused: 'too_large' } };
      const mime = a.mime ?? got.mime ?? 'application/octet-stream';
      if (settings && toTranscribe.includes(a)) {
        try {
          transcripts.push(await this.transcription.transcribe(settings, turn.transcriptionKey, { data: got.data, mime, name: a.name ?? got.name }));
        } catch (e) {
          if (!(e instanceof TranscriptionError)) throw e;
          if (e.transient) throw new Error(`transcription failed: ${e.message}`);
          this.logger.warn(`agent ${turn.agent.id}: ${e.message}`);
          return { kind: 'refused', reply: TRANSCRIPTION_FAILED_REPLY, metadata: { ...metadata, refused: 'transcription_failed', transcriptionError: e.message } };
        }
      } else {
        attachments.push({ type: typeOf(a, mime), mimeType: mime, ...(a.name ?? got.name ? { name: a.name ?? got.name } : {}), size: got.data.length, data: got.data.toString('base64') });
      }
    }
    if (!transcripts.length) return { kind: 'ready', text: incoming.text, metadata, attachments };
    const transcript = transcripts.filter(Boolean).join('\n\n') || '(no speech)';
    const caption = isPlaceholder(incoming.text) ? '' : incoming.text;
    return {
      kind: 'ready',
      text: caption ? `${caption}\n\n${transcript}` : transcript,
      metadata: { ...metadata, transcript: true, originalText: incoming.text },
      attachments,
    };
  }
}

/** Which files a runtime takes: `http` every file, `openai` images only (photos, image documents), `echo` none. */
function wantedBy(runtimeType: string, a: IncomingAttachment): boolean {
  if (a.kind === 'sticker' || a.kind === 'other') return false;
  if (runtimeType === 'http') return true;
  if (runtimeType === 'openai') return a.kind === 'photo' || (a.kind === 'document' && !!a.mime?.startsWith('image/'));
  return false;
}

function typeOf(a: IncomingAttachment, mime: string): RuntimeAttachment['type'] {
  if (a.kind === 'photo' || mime.startsWith('image/')) return 'image';
  if (VOICE_KINDS.has(a.kind) && a.kind !== 'video_note') return 'audio';
  if (a.kind === 'video' || a.kind === 'video_note') return 'video';
  return 'file';
}

/** The text a parser puts in place of a missing caption (Telegram "[voice]", Slack "[1 file(s)]"). */
function isPlaceholder(text: string): boolean {
  return /^\[[a-z_, ]+\]$/.test(text) || /^\[\d+ file\(s\)\]$/.test(text);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

export function tooLargeReply(maxBytes: number): string {
  return `Sorry — that file is too large for me. The limit is ${formatBytes(maxBytes)}; please send a smaller one.`;
}

export function tooLongReply(maxSeconds: number): string {
  const limit = maxSeconds % 60 === 0 ? `${maxSeconds / 60} minute${maxSeconds === 60 ? '' : 's'}` : `${maxSeconds} seconds`;
  return `Sorry — that voice message is too long for me. The limit is ${limit}; please send a shorter one.`;
}
