import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiResponse, ApiSecurity, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponse } from './dto/error-response.dto';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `message` names the field, `details` lists every field problem',
  401: 'No valid access token (`Authorization: Bearer …`)',
  403: 'Your role in this team does not allow this (owners and admins write; members read)',
  404: 'Not found — also the answer for a team you do not belong to and for ids that are not UUIDs',
  409: 'Conflicts with the current state',
  422: 'Understood but refused (e.g. the platform rejected the credentials)',
  429: 'Too many requests; try again later',
  502: 'A platform could not be reached or failed',
  500: 'Unexpected server error (logged with the request id)',
};

/**
 * Documents the error responses of an operation with the shared `ErrorResponse` body. Give the statuses the route can
 * answer, optionally as `[status, description]`; 500 is always added (any route can fail unexpectedly).
 */
export function ApiErrors(...statuses: (number | [number, string])[]): MethodDecorator & ClassDecorator {
  const entries = new Map<number, string>([[500, ERROR_DESCRIPTIONS[500]]]);
  for (const s of statuses) {
    const [status, description] = Array.isArray(s) ? s : [s, ERROR_DESCRIPTIONS[s] ?? 'Error'];
    entries.set(status, description);
  }
  return applyDecorators(...[...entries].map(([status, description]) => ApiResponse({ status, description, type: ErrorResponse })));
}

/** A 200 answer of the list shape `{data: Item[], nextCursor}` (src/common/pagination.ts). */
export function ApiPageResponse(item: Type<unknown>, description = 'One page, newest first'): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['data', 'nextCursor'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(item) } },
          nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' },
        },
      },
    }),
  );
}

/**
 * The security of an @OptionalAuth() route: a bearer token or none, `security: [{bearer: []}, {}]` (the empty
 * requirement is OpenAPI's "no authentication"). Use it instead of @ApiBearerAuth() next to @OptionalAuth().
 */
export function ApiOptionalBearerAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiSecurity('bearer'), ApiSecurity({}));
}
