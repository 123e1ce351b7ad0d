import { maskIdNumbersIn } from './id-number';
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  ValidationError,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from './database-unavailable';
import { DomainError } from './domain-error';
import { LogRateLimiter } from './log-rate-limit';

export interface FieldProblem {
  field: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error answer of the API. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: FieldProblem[];
  requestId?: string;
}

/** A 400 whose problem names each bad field; thrown by the global ValidationPipe. */
export class InvalidRequestException extends BadRequestException {
  constructor(readonly fieldProblems: FieldProblem[]) {
    super(`Invalid request: ${fieldProblems.map((p) => p.field).join(', ')}`);
  }
}

/** The message of a field no DTO declares (whitelist); a DTO may add a hint where the values belong. */
export function unknownFieldMessage(field: string, hint?: string): string {
  return hint ? `unknown field "${field}": ${hint}` : `unknown field "${field}" is not allowed`;
}

/** Flattens class-validator errors to one entry per field, with dotted / indexed paths (members[0].idNumber). */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? unknownFieldMessage(field) : message,
    }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

const TYPE_BASE = 'https://doudi.example/problems/';

/** Seconds a caller is asked to wait before retrying while the database is away. */
const DATABASE_RETRY_AFTER_S = 5;

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');
  // During an outage every request fails the same way: one line per cause per interval, not one per request.
  private readonly outageLines = new LogRateLimiter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    // The URL may carry an ID number (a search by it): answers mask them as logs do.
    problem.instance = maskIdNumbersIn(request.originalUrl);
    if (request.id !== undefined) problem.requestId = String(request.id);
    if (problem.code === 'database-unavailable') {
      response.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_S));
      this.logOutage(exception, problem.requestId);
    } else if (problem.status >= 500) this.logger.error({ err: exception, requestId: problem.requestId }, 'request failed');
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private logOutage(exception: unknown, requestId: string | undefined): void {
    const cause = exception as { code?: unknown; message?: unknown };
    const suppressed = this.outageLines.admit(`${String(cause?.code ?? '')}|${String(cause?.message ?? '')}`);
    if (suppressed === undefined) return;
    this.logger.warn({ err: exception, requestId, ...(suppressed ? { suppressedRepeats: suppressed } : {}) }, 'database unavailable: answered 503');
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof InvalidRequestException) {
      return {
        type: `${TYPE_BASE}invalid-request`,
        title: 'The request is invalid',
        status: HttpStatus.BAD_REQUEST,
        detail: exception.fieldProblems.map((p) => `${p.field}: ${p.message}`).join('; '),
        errors: exception.fieldProblems,
      };
    }
    if (exception instanceof DomainError) {
      return {
        type: `${TYPE_BASE}${exception.code}`,
        title: exception.message,
        status: exception.status,
        code: exception.code,
        ...(exception.details ? { detail: JSON.stringify(exception.details) } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
      // Body-parser failures (malformed JSON) arrive as 400 HttpErrors with the parser's message.
      return { type: `${TYPE_BASE}http-${status}`, title: HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error', status, detail };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        type: `${TYPE_BASE}database-unavailable`,
        title: 'The database is unavailable',
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'database-unavailable',
        detail: `nothing was changed; try again in ${DATABASE_RETRY_AFTER_S} seconds`,
      };
    }
    const status = (exception as { status?: unknown; type?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { type: `${TYPE_BASE}http-${status}`, title: 'bad request', status, detail: (exception as Error).message };
    }
    return { type: `${TYPE_BASE}internal`, title: 'internal server error', status: HttpStatus.INTERNAL_SERVER_ERROR };
  }
}
