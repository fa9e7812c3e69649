import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, mergeMap } from 'rxjs';
import { AuthedRequest } from '../common/decorators';
import { AuditNotes, withAuditNotes } from './audit-context';
import { AuditEntry, AuditService } from './audit.service';
import { AUDITED, AuditSpec } from './audit-spec';

const pick = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);

const asId = (v: unknown): string | null => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

/**
 * Global: after a route marked @Audited succeeds, records who did what to which target (see AuditSpec). Services note
 * the state before the change with auditBefore (an AsyncLocalStorage set up here, per request). The record is written
 * after the change committed; if writing it fails the error is logged and the caller still gets the answer (the
 * change happened).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const spec = this.reflector.get<AuditSpec | undefined>(AUDITED, context.getHandler());
    if (!spec) return next.handle();
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const notes: AuditNotes = {};
    return new Observable((subscriber) =>
      withAuditNotes(notes, () =>
        next
          .handle()
          .pipe(
            mergeMap(async (body: unknown) => {
              await this.record(spec, req, notes, body);
              return body;
            }),
          )
          .subscribe(subscriber),
      ),
    );
  }

  private async record(spec: AuditSpec, req: AuthedRequest, notes: AuditNotes, body: unknown): Promise<void> {
    const params = req.params ?? {};
    const targetId = (spec.idParam ? asId(params[spec.idParam]) : null) ?? notes.targetId ?? asId(pick(body, spec.idField ?? 'id'));
    const teamId = asId(params.teamId) ?? (spec.targetType === 'team' ? targetId : asId(pick(body, 'team.id')));
    const actor: Pick<AuditEntry, 'actorType' | 'actorId'> = req.apiKey
      ? { actorType: 'api_key', actorId: req.apiKey.keyId }
      : { actorType: 'user', actorId: req.user?.id ?? asId(pick(body, 'member.userId')) };
    try {
      await this.audit.record({
        teamId,
        ...actor,
        action: spec.action,
        targetType: spec.targetType,
        targetId,
        before: notes.before,
        after: spec.after === false ? undefined : body,
        requestId: req.id !== undefined ? String(req.id) : null,
        clientIp: req.ip ?? null,
      });
    } catch (e) {
      this.logger.error({ err: e, requestId: req.id, action: spec.action }, 'audit event could not be recorded');
    }
  }
}
