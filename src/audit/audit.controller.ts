import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { KeyScope, TeamWrite } from '../common/decorators';
import { Page } from '../common/pagination';
import { IdParam } from '../common/params';
import { AuditEventView, AuditService } from './audit.service';
import { AuditEventResponse } from './dto/audit-event-response.dto';
import { AuditLogQuery } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @TeamWrite()
  @KeyScope('admin')
  @Get()
  @ApiOperation({
    summary: "The team's audit log (owner/admin; API keys with the admin scope)",
    description: 'Every change made through the API or the CLI, newest first: actor, action, target, state before and after (secrets stripped), request id, client address.',
  })
  @ApiPageResponse(AuditEventResponse)
  @ApiErrors(400, 401, 403, 404)
  list(@IdParam('teamId', 'team') teamId: string, @Query() q: AuditLogQuery): Promise<Page<AuditEventView>> {
    const { limit, cursor, since, until, ...filter } = q;
    return this.audit.list(teamId, { ...filter, since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined }, { limit, cursor });
  }
}
