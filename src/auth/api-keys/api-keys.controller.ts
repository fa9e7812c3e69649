import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../audit/audited.decorator';
import { ApiErrors, ApiPageResponse } from '../../common/api-docs';
import { AuthUser, CurrentUser, KeyScope, TeamWrite } from '../../common/decorators';
import { Page, PageQuery } from '../../common/pagination';
import { IdParam } from '../../common/params';
import { ApiKeyView, ApiKeysService, CreatedApiKey } from './api-keys.service';
import { ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key-response.dto';
import { CreateApiKeyDto } from './dto/api-key.dto';

/** A team's API keys: owners and admins (or a key with the admin scope) create, list and revoke them. */
@ApiTags('api-keys')
@ApiBearerAuth()
@TeamWrite()
@KeyScope('admin')
@Controller('v1/teams/:teamId/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Audited({ action: 'api_key.created', targetType: 'api_key' })
  @ApiOperation({
    summary: 'Create an API key (owner/admin)',
    description: 'The key (`sb_…`) is in this response only; it works as `Authorization: Bearer sb_…` on this team’s routes, within its scopes.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiErrors(400, 401, 403, 404, 429)
  create(@IdParam('teamId', 'team') teamId: string, @CurrentUser() user: AuthUser | undefined, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKey> {
    return this.keys.create(teamId, user?.id ?? null, dto);
  }

  @Get()
  @ApiOperation({ summary: "The team's API keys, revoked and expired ones too, never the keys themselves (owner/admin)" })
  @ApiPageResponse(ApiKeyResponse)
  @ApiErrors(400, 401, 403, 404, 429)
  list(@IdParam('teamId', 'team') teamId: string, @Query() page: PageQuery): Promise<Page<ApiKeyView>> {
    return this.keys.list(teamId, page);
  }

  @Get(':keyId')
  @ApiOperation({ summary: 'Get an API key (owner/admin)' })
  @ApiOkResponse({ type: ApiKeyResponse })
  @ApiErrors(401, 403, 404, 429)
  get(@IdParam('teamId', 'team') teamId: string, @IdParam('keyId', 'API key') keyId: string): Promise<ApiKeyView> {
    return this.keys.get(teamId, keyId);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Audited({ action: 'api_key.revoked', targetType: 'api_key', idParam: 'keyId' })
  @ApiOperation({ summary: 'Revoke an API key (owner/admin)', description: 'The next request with it answers 401.' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(401, 403, [404, 'Not found — also a key already revoked'], 429)
  revoke(@IdParam('teamId', 'team') teamId: string, @IdParam('keyId', 'API key') keyId: string): Promise<void> {
    return this.keys.revoke(teamId, keyId);
  }
}
