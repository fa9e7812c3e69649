import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse } from '../common/api-docs';
import { TeamWrite } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import { IdParam } from '../common/params';
import type { EventTypeInfo } from '../events/event-type';
import { EVENT_CATALOG } from '../integrations/event-catalog';
import { CreateWebhookEndpointDto, DeliveryListQuery, RecoverDto, UpdateWebhookEndpointDto } from './dto/webhook.dto';
import {
  DeliveryDetailResponse,
  DeliveryResponse,
  EventTypeListResponse,
  RecoverResponse,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
  WebhookTestResponse,
} from './dto/webhook-response.dto';
import { DeliveryDetailView, DeliveryView, WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookEndpointView, WebhookEndpointWithSecret, WebhookEndpointsService } from './webhook-endpoints.service';
import { Audited } from '../audit/audited.decorator';

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
  @Audited({ action: 'webhook_endpoint.created', targetType: 'webhook_endpoint' })
  @ApiOperation({ summary: 'Create a webhook endpoint', description: 'The response carries the signing `secret` (whsec_…) — the only time it is shown. The URL must be HTTPS and resolve to a public address.' })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretResponse })
  @ApiErrors(400, 401, 403, 404)
  create(@IdParam('teamId', 'team') teamId: string, @Body() dto: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(teamId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List a team's webhook endpoints" })
  @ApiPageResponse(WebhookEndpointResponse)
  @ApiErrors(400, 401, 403, 404)
  list(@IdParam('teamId', 'team') teamId: string, @Query() query: PageQuery): Promise<Page<WebhookEndpointView>> {
    return this.endpoints.list(teamId, query);
  }

  @Get(':endpointId')
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors(401, 403, 404)
  get(@IdParam('teamId', 'team') teamId: string, @IdParam('endpointId', 'webhook endpoint') id: string): Promise<WebhookEndpointView> {
    return this.endpoints.get(teamId, id);
  }

  @Patch(':endpointId')
  @Audited({ action: 'webhook_endpoint.updated', targetType: 'webhook_endpoint', idParam: 'endpointId' })
  @ApiOperation({ summary: 'Change a webhook endpoint', description: '`eventTypes: null` subscribes to every type; `enabled: true` re-activates a failing or disabled endpoint.' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors(400, 401, 403, 404)
  update(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointView> {
    return this.endpoints.update(teamId, id, dto);
  }

  @Delete(':endpointId')
  @Audited({ action: 'webhook_endpoint.deleted', targetType: 'webhook_endpoint', idParam: 'endpointId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint with its delivery log' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(@IdParam('teamId', 'team') teamId: string, @IdParam('endpointId', 'webhook endpoint') id: string): Promise<void> {
    return this.endpoints.remove(teamId, id);
  }

  @Post(':endpointId/rotate-secret')
  @Audited({ action: 'webhook_endpoint.secret_rotated', targetType: 'webhook_endpoint', idParam: 'endpointId' })
  @HttpCode(200)
  @ApiOperation({ summary: "Rotate a webhook endpoint's signing secret", description: 'The new `secret` is shown once; the previous one keeps signing too for WEBHOOK_SECRET_OVERLAP_S.' })
  @ApiOkResponse({ type: WebhookEndpointWithSecretResponse })
  @ApiErrors(401, 403, 404)
  rotate(@IdParam('teamId', 'team') teamId: string, @IdParam('endpointId', 'webhook endpoint') id: string): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.rotateSecret(teamId, id);
  }

  @Post(':endpointId/test')
  @Audited({ action: 'webhook_endpoint.tested', targetType: 'webhook_endpoint', idParam: 'endpointId' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test event to an endpoint' })
  @ApiAcceptedResponse({ type: WebhookTestResponse })
  @ApiErrors(401, 403, 404, [409, 'The endpoint is disabled; enable it first'])
  test(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
  ): Promise<{ eventId: string; deliveryId: string }> {
    return this.endpoints.sendTest(teamId, id);
  }

  @Post(':endpointId/recover')
  @Audited({ action: 'webhook_endpoint.recovered', targetType: 'webhook_endpoint', idParam: 'endpointId' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-send the failed and skipped deliveries of a time window', description: 'Each is sent again with its original `webhook-id`.' })
  @ApiAcceptedResponse({ type: RecoverResponse })
  @ApiErrors(400, 401, 403, 404, [409, 'The endpoint is disabled; enable it first'])
  recover(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @Body() dto: RecoverDto,
  ): Promise<{ recovered: number }> {
    return this.deliveries.recover(teamId, id, dto);
  }

  @Get(':endpointId/deliveries')
  @ApiOperation({ summary: "List an endpoint's deliveries (the delivery log)" })
  @ApiPageResponse(DeliveryResponse)
  @ApiErrors(400, 401, 403, 404)
  deliveriesList(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @Query() query: DeliveryListQuery,
  ): Promise<Page<DeliveryView>> {
    return this.deliveries.list(teamId, id, query);
  }

  @Get(':endpointId/deliveries/:deliveryId')
  @ApiOperation({ summary: 'Get a delivery with its event and every attempt' })
  @ApiOkResponse({ type: DeliveryDetailResponse })
  @ApiErrors(401, 403, 404)
  delivery(
    @IdParam('teamId', 'team') teamId: string,
    @IdParam('endpointId', 'webhook endpoint') id: string,
    @IdParam('deliveryId', 'delivery') deliveryId: string,
  ): Promise<DeliveryDetailView> {
    return this.deliveries.get(teamId, id, deliveryId);
  }

  @Post(':endpointId/deliveries/:deliveryId/retry')
  @Audited({ action: 'webhook_delivery.retried', targetType: 'webhook_delivery', idParam: 'deliveryId' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again now', description: 'Same `webhook-id`; also replays a delivered one.' })
  @ApiAcceptedResponse({ type: DeliveryResponse })
  @ApiErrors(401, 403, 404, [409, 'The endpoint is disabled; enable it first'])
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
  @ApiOperation({ summary: 'List every webhook event type with a description and an example' })
  @ApiOkResponse({ type: EventTypeListResponse })
  @ApiErrors(401)
  list(): { data: EventTypeInfo[] } {
    return { data: [...EVENT_CATALOG] };
  }
}
