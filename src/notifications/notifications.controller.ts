import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: PageQuery): Promise<Page<NotificationView>> {
    return this.notifications.list(teamId, query);
  }
}
