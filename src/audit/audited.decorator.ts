import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AUDITED, AuditSpec } from './audit-spec';
import { AuditInterceptor } from './audit.interceptor';

/**
 * Marks a route that changes state: after it succeeds the audit interceptor records one audit event with the actor,
 * the request id and client address, the target, `before` (what the service noted with auditBefore) and `after`
 * (the response), both without secrets. A test checks every non-GET route under /v1 carries it. The interceptor is
 * bound here, per route, not globally: a route without it (every GET, the platform webhooks) skips Nest's interceptor
 * chain altogether.
 */
export const Audited = (spec: AuditSpec): MethodDecorator => applyDecorators(SetMetadata(AUDITED, spec), UseInterceptors(AuditInterceptor));
