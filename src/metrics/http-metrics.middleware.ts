import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Metrics } from './metrics.service';

/**
 * Times every HTTP request once its response is sent. The route label is the matched route's template
 * (`/api/v1/dibao/cases/:id`), never the raw URL, so ids do not multiply series; requests that matched no
 * route count as `unmatched`. Scrapes of /metrics are not counted.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    response.once('finish', () => {
      const route = (request.route as { path?: unknown } | undefined)?.path;
      if (route === '/metrics') return;
      end({ method: request.method, route: typeof route === 'string' ? route : 'unmatched', status: String(response.statusCode) });
    });
    next();
  }
}
