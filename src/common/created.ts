import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';

const CREATED = 'doudi:created';

/** Where a created resource is read, from the answer (and the request's path parameters); relative to /api/v1. */
export type LocationOf = (answer: any, params: Record<string, string>) => string;

/**
 * Marks a route answering 201: its `Location` header is the URL of the resource it created (RFC 9110 §10.2.2). The
 * OpenAPI document declares the header on every 201 (src/openapi/document.ts) and test/openapi-examples.e2e-spec.ts
 * checks each answer carries it.
 */
export const Created = (location: LocationOf) => SetMetadata(CREATED, location);

/** Sets `Location` on a marked route's answer, a replayed idempotent answer too (it runs outside the idempotency interceptor). */
@Injectable()
export class LocationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const location = this.reflector.get<LocationOf | undefined>(CREATED, context.getHandler());
    if (!location) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    return next.handle().pipe(
      map((answer) => {
        http.getResponse<Response>().setHeader('Location', `/api/v1${location(answer, request.params as Record<string, string>)}`);
        return answer;
      }),
    );
  }
}
