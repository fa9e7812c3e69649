import { SetMetadata } from '@nestjs/common';

export const AUDITED = 'switchboard:audited';

export interface AuditSpec {
  /** `<target>.<verb>`, e.g. `agent.updated`. */
  action: string;
  /** What was changed: `agent`, `connection`, `team_member`, … */
  targetType: string;
  /** The route parameter naming the target; without it, the response's `id` (what a create returns). */
  idParam?: string;
  /** Where the target id sits in the response when it is not `id` (e.g. `deliveryId`, `member.userId`). */
  idField?: string;
  /** Record the response as `after` (default true; false for answers that are not the target's state). */
  after?: boolean;
}

/**
 * Marks a route that changes state: after it succeeds the audit interceptor records one audit event with the actor,
 * the request id and client address, the target, `before` (what the service noted with auditBefore) and `after`
 * (the response), both without secrets. A test checks every non-GET route under /v1 carries it.
 */
export const Audited = (spec: AuditSpec): MethodDecorator => SetMetadata(AUDITED, spec);
