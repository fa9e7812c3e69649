import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorBody } from '../global-exception.filter';
import { ErrorCode, type FieldProblem } from '../errors';

export class FieldProblemResponse implements FieldProblem {
  @ApiProperty({ example: 'email', description: 'The field, dotted for nested ones (e.g. `credentials.botToken`)' })
  field: string;

  @ApiProperty({ type: [String], example: ['email must be an email address'] })
  messages: string[];
}

/** The one error body of every route (src/common/global-exception.filter.ts). */
export class ErrorResponse implements ErrorBody {
  @ApiProperty({ type: 'integer', example: 400, description: 'The HTTP status, repeated' })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP reason phrase of the status' })
  error: string;

  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description: `What is wrong, for programs: ${Object.values(ErrorCode).join(', ')} (new codes may be added; HTTP_<status> for a status no code names)`,
  })
  code: string;

  @ApiProperty({ example: 'email must be an email address', description: 'What is wrong, for people; validation errors name the field' })
  message: string;

  @ApiPropertyOptional({ type: [FieldProblemResponse], description: 'Validation errors only: one entry per field' })
  details?: FieldProblemResponse[];

  @ApiProperty({ example: 'c0ffee00-1234-4bcd-9def-0123456789ab', description: 'The request id (your `x-request-id`, or one we made); it is in our logs' })
  requestId: string;
}
