import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import { EVENT_CATALOG, EventTypeInfo } from '../events/event-catalog';
import { CreateWebhookEndpointDto, DeliveryListQuery, RecoverDto, UpdateWebhookEndpointDto } from './dto/webhook.dto';
import { DeliveryDetailView, DeliveryView, WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookEndpointView, WebhookEndpointWithSecret, WebhookEndpointsService } from './webhook-endpoints.service';

/** Every webhook route is for owners and admins: endpoints carry URLs and the delivery log carries event payloads. */
@ApiTags('webhooks')
@ApiBearerAuth()
@TeamWrite()
@Controller('v1/teams/:teamId/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Post()
  create(@IdParam('teamId', 'team') teamId: string, @Body() dto: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(teamId, dto);
  }

  @Get()
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: PageQuery): Promise<Page<WebhookEndpointView>> {
    return this.endpoints.list(teamId, query);
  }

  @Get(':endpointId')
  get(@IdParam('teamId', 'team') teamId: string, @IdParam('endpointId', 'webhook endpoint') id: string): Promise<WebhookEndpointView> {
    return this.endpoints.get(teamId, id);
  }

  @Patch(':endpointId')
  update(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointView> {
    return this.endpoints.update(teamId, id, dto);
  }

  @Delete(':endpointId')
  @HttpCode(204)
  remove(@IdParam('teamId', 'team') teamId: string, @IdParam('endpointId', 'webhook endpoint') id: string): Promise<void> {
    return this.endpoints.remove(teamId, id);
  }

  @Post(':endpointId/rotate-secret')
  @HttpCode(200)
  rotate(@IdParam('teamId', 'team') teamId: string, @IdParam('endpointId', 'webhook endpoint') id: string): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.rotateSecret(teamId, id);
  }

  @Post(':endpointId/test')
  @HttpCode(202)
  test(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
  ): Promise<{ eventId: string; deliveryId: string }> {
    return this.endpoints.sendTest(teamId, id);
  }

  @Post(':endpointId/recover')
  @HttpCode(202)
  recover(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @Body() dto: RecoverDto,
  ): Promise<{ recovered: number }> {
    return this.deliveries.recover(teamId, id, dto);
  }

  @Get(':endpointId/deliveries')
  deliveriesList(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @Query() query: DeliveryListQuery,
  ): Promise<Page<DeliveryView>> {
    return this.deliveries.list(teamId, id, query);
  }

  @Get(':endpointId/deliveries/:deliveryId')
  delivery(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @IdParam('deliveryId', 'delivery') deliveryId: string,
  ): Promise<DeliveryDetailView> {
    return this.deliveries.get(teamId, id, deliveryId);
  }

  @Post(':endpointId/deliveries/:deliveryId/retry')
  @HttpCode(202)
  retry(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @IdParam('deliveryId', 'delivery') deliveryId: string,
  ): Promise<DeliveryView> {
    return this.deliveries.retry(teamId, id, deliveryId);
  }
}

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook-event-types')
export class WebhookEventTypesController {
  /** Every event type with a description and an example `data` (any signed-in user). */
  @Get()
  list(): { data: EventTypeInfo[] } {
    return { data: [...EVENT_CATALOG] };
  }
}
