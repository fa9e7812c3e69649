import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, ApiKeyScope } from '../../../common/decorators';
import type { ApiKeyView, CreatedApiKey } from '../api-keys.service';

/** An API key as listed: never the key itself. */
export class ApiKeyResponse implements ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ example: 'CI deploys' }) name: string;
  @ApiProperty({ example: 'sb_Xy3kPq9z', description: 'The first characters of the key, to recognize it' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, enumName: 'ApiKeyScope', isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty({ type: Date, nullable: true, description: 'After this the key stops working; null = never' }) expiresAt: Date | null;
  @ApiProperty({ type: Date, nullable: true, description: 'Last request made with the key (to about a minute)' }) lastUsedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true, description: 'Set when revoked; the key no longer works' }) revokedAt: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The user who created it (null: created with another key, or the user was deleted)' })
  createdById: string | null;
  @ApiProperty() createdAt: Date;
}

export class CreatedApiKeyResponse extends ApiKeyResponse implements CreatedApiKey {
  @ApiProperty({ example: 'sb_…', description: 'The key — shown only in this response (only its SHA-256 is stored). Send it as `Authorization: Bearer sb_…`.' })
  key: string;
}
