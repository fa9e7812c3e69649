import { Controller, Get, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, SchemaObject } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { ApiErrors } from '../common/api-docs';
import { Public } from '../common/decorators';
import { REDIS_CALL_TIMEOUT_MS } from '../queue/queues';
import { RedisAvailability } from '../queue/redis-availability';

const DATABASE_TIMEOUT_MS = 3000;

const CHECKS: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: true },
  example: { database: { status: 'up' }, redis: { status: 'up' } },
};
/** terminus' HealthCheckResult when every check is up. */
const READY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'details'],
  properties: { status: { type: 'string', enum: ['ok'] }, info: CHECKS, error: CHECKS, details: CHECKS },
};
/** terminus' HealthCheckResult when a check is down: `error` names each dependency that is. */
const NOT_READY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'error', 'details'],
  properties: { status: { type: 'string', enum: ['error'] }, info: CHECKS, error: CHECKS, details: CHECKS },
  example: { status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' } }, details: { database: { status: 'up' }, redis: { status: 'down' } } },
};

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  /** The dependencies the last probe found down, to log a change once rather than every probe. */
  private lastDown = '';

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly redis: RedisAvailability,
  ) {}

  /** The process is up. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  @ApiErrors()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * PostgreSQL and Redis answer: safe to route traffic here. 503 names each dependency and its state, as terminus
   * reports it: `{"status":"error","info":{"database":{"status":"up"}},"error":{"redis":{"status":"down"}},"details":{…}}`.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer' })
  @ApiOkResponse({ description: 'Both answer', schema: READY_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'PostgreSQL or Redis does not answer; `error` names which', schema: NOT_READY_SCHEMA })
  @ApiErrors()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.db.pingCheck('database', { timeout: DATABASE_TIMEOUT_MS }), () => this.redisCheck()]);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      result = e.getResponse() as HealthCheckResult;
      res.status(503);
    }
    this.logChange(result);
    return result;
  }

  private async redisCheck(): Promise<HealthIndicatorResult<'redis'>> {
    const check = this.indicator.check('redis');
    if (await this.redis.probe(REDIS_CALL_TIMEOUT_MS)) return check.up();
    const since = this.redis.unreachableSince();
    return check.down(since ? { since: since.toISOString() } : {});
  }

  private logChange(result: HealthCheckResult): void {
    const down = Object.keys(result.error ?? {}).sort().join(', ');
    if (down === this.lastDown) return;
    this.lastDown = down;
    if (down) this.logger.warn(`not ready: ${down} down (${JSON.stringify(result.error)})`);
    else this.logger.log('ready: every dependency is up');
  }
}
