import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { NotificationResponse } from './dto/notification-response.dto';
import { Roles } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { NotificationView, NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v1/teams/:teamId/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** Notifications are addressed to a team's owners and admins. */
  @Roles('owner', 'admin')
  @Get()
  @ApiOperation({ summary: "List a team's notifications (owner/admin)", description: 'E.g. a webhook endpoint went failing or was disabled. Newest first.' })
  @ApiPageResponse(NotificationResponse)
  @ApiErrors(400, 401, 403, 404)
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: PageQuery): Promise<Page<NotificationView>> {
    return this.notifications.list(teamId, query);
  }
}
