import { CredentialProblem, FieldChecker } from '../../common/field-checker';
import { maskSecret } from '../../crypto/secrets';

/** An agent's speech-to-text settings as stored and shown: the key appears only as a masked hint ("…abcd"). */
export interface TranscriptionSettings {
  baseUrl: string;
  model: string;
  apiKey?: string;
  [key: string]: unknown;
}

export interface CheckedTranscription {
  settings: TranscriptionSettings;
  /** The API key to store encrypted (a new one, or the previous one kept); undefined: no key. */
  apiKey?: string;
}

/**
 * Validates `transcription: {baseUrl, model, apiKey?}` (an OpenAI-compatible `POST {baseUrl}/audio/transcriptions`).
 * The key is write-only: leaving it out, or sending the masked hint back, keeps the previous one.
 */
export function checkTranscription(input: Record<string, unknown>, previousKey?: string): { ok: CheckedTranscription } | { problems: CredentialProblem[] } {
  const f = new FieldChecker('transcription', input, ['baseUrl', 'model', 'apiKey']);
  const baseUrl = f.string('baseUrl', { required: true, pattern: /^https?:\/\/\S+$/, hint: 'must be an http(s) URL, e.g. https://api.openai.com/v1' });
  const model = f.string('model', { required: true, pattern: /^.{1,200}$/, hint: 'must be a model name, e.g. whisper-1' });
  const given = typeof input.apiKey === 'string' && input.apiKey !== '' && !input.apiKey.startsWith('…');
  const apiKey = given ? f.string('apiKey', { pattern: /^.{1,1000}$/, hint: 'is too long' }) : previousKey;
  if (f.problems.length || !baseUrl || !model) return { problems: f.problems };
  return {
    ok: {
      settings: { baseUrl: baseUrl.replace(/\/+$/, ''), model, ...(apiKey ? { apiKey: maskSecret(apiKey) } : {}) },
      apiKey,
    },
  };
}
