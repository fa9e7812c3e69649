/** What @Audited records for a route (read by AuditInterceptor). */
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
