import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { AuthedRequest } from './decorators';
import { DomainError, ERROR_STATUS, errorCodeForStatus, RateLimited, toDomainError } from './errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  /** Machine-readable: an ErrorCode (src/common/errors.ts), or HTTP_<status> for a status no code names. */
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

/** One error shape for every route: {statusCode, error, code, message, details?, requestId}. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const exception = toDomainError(thrown) ?? thrown;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<AuthedRequest>();
    const body = this.toBody(exception);
    body.requestId = req?.id !== undefined ? String(req.id) : undefined;
    if (body.statusCode >= 500 && exception instanceof DomainError) {
      this.logger.warn({ requestId: body.requestId, code: exception.code }, body.message);
    } else if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId: body.requestId }, 'unhandled error');
    }
    if (res.headersSent) return;
    if (exception instanceof RateLimited) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = ERROR_STATUS[exception.code];
      return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      if (typeof response === 'object' && response !== null && 'message' in response) {
        const m = (response as { message: unknown }).message;
        message = Array.isArray(m) ? m.join('; ') : String(m);
      }
      if (statusCode === HttpStatus.TOO_MANY_REQUESTS) message = 'Too many requests; try again later';
      return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code: errorCodeForStatus(statusCode), message };
    }
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // body-parser errors (payload too large, bad encoding) carry a status and a safe message
      return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', code: errorCodeForStatus(status), message: (exception as Error).message };
    }
    return { statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL', message: 'Internal server error' };
  }
}
