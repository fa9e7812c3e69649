import { AsyncLocalStorage } from 'node:async_hooks';
import { redactForAudit } from './redact';

/** What a service tells the audit record of the request it serves. */
export interface AuditNotes {
  before?: unknown;
  targetId?: string;
}

const storage = new AsyncLocalStorage<AuditNotes>();

/** Runs `fn` with a fresh notes object that services below may fill (the audit interceptor reads it afterwards). */
export function withAuditNotes<T>(notes: AuditNotes, fn: () => T): T {
  return storage.run(notes, fn);
}

/**
 * A service changing or deleting something calls this with the state it is about to change (its public view, as the
 * API would answer it). Secrets are stripped when the record is written. Outside an audited request it does nothing.
 */
export function auditBefore(state: unknown): void {
  const notes = storage.getStore();
  // copied (and stripped of secrets) now: the service goes on to change the object it passed
  if (notes && notes.before === undefined) notes.before = redactForAudit(state);
}
