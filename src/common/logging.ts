import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { maskIdNumbersIn } from './id-number';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Structured JSON logs, one request id per request (taken from X-Request-Id when the caller sends one, and
 * echoed back). Every line passes through the ID-number mask on its way out, whatever field it sits in.
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const options = {
    level: config.LOG_LEVEL as string,
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const given = request.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    hooks: { streamWrite: maskIdNumbersIn },
    customLogLevel: (_: IncomingMessage, response: ServerResponse, error?: Error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
  };
  return { pinoHttp: destination ? [options, destination] : options };
}
