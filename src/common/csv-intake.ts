import { applyDecorators, HttpException, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiResponse } from '@nestjs/swagger';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import * as iconv from 'iconv-lite';
import type { Readable } from 'stream';
import { InvalidRequestException } from './problem';

/** What a CSV route accepts; named in the 415 answer. */
export const CSV_CONTENT_TYPES = ['text/csv', 'multipart/form-data (one file field)', 'application/json {"csv": "..."}'];

/** A 413 naming the limit that was exceeded (the problem filter turns it into problem+json). */
export class BodyTooLargeException extends HttpException {
  constructor(limitName: string, limitBytes: number) {
    super(`the body is larger than ${limitName} (${limitBytes} bytes)`, HttpStatus.PAYLOAD_TOO_LARGE);
  }
}

export class UnsupportedCsvTypeException extends HttpException {
  constructor(got: string | undefined) {
    super(`content type ${got ?? '(none)'} is not accepted; send one of: ${CSV_CONTENT_TYPES.join(', ')}`, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
}

/**
 * Reads a CSV route's body as it arrives, stopping (413) as soon as it passes the route's limit, so an oversized
 * upload is never held whole. `text/csv` (charset utf-8 or gbk) and multipart (one file field) are read here;
 * JSON `{ "csv": "…" }` was already parsed by the JSON body parser (under its own limit).
 */
export async function readCsvBody(req: Request, limitName: string, limitBytes: number): Promise<string> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    const csv = (req.body as { csv?: unknown } | undefined)?.csv;
    if (typeof csv !== 'string') throw new InvalidRequestException([{ field: 'csv', message: 'csv must be the file\'s text' }]);
    return csv;
  }
  if (type.startsWith('text/csv')) {
    const charset = /charset=([^;\s]+)/.exec(type)?.[1] ?? 'utf-8';
    if (!iconv.encodingExists(charset)) throw new InvalidRequestException([{ field: 'Content-Type', message: `unknown charset ${charset}` }]);
    const declared = Number(req.headers['content-length']);
    if (declared > limitBytes) throw new BodyTooLargeException(limitName, limitBytes);
    return decodeLimited(req, charset, limitName, limitBytes);
  }
  if (type.startsWith('multipart/form-data')) return readMultipart(req, limitName, limitBytes);
  throw new UnsupportedCsvTypeException(req.headers['content-type']);
}

function decodeLimited(stream: Readable, charset: string, limitName: string, limitBytes: number, onTooLarge?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = iconv.getDecoder(charset);
    const parts: string[] = [];
    let bytes = 0;
    let failed = false;
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      bytes += chunk.length;
      if (bytes > limitBytes) {
        failed = true;
        onTooLarge?.();
        reject(new BodyTooLargeException(limitName, limitBytes));
        // Keep draining (and discarding) so the 413 can be answered on the same connection.
        return;
      }
      parts.push(decoder.write(chunk));
    });
    stream.on('error', (error) => { if (!failed) { failed = true; reject(error); } });
    stream.on('end', () => {
      if (failed) return;
      parts.push(decoder.end() ?? '');
      resolve(parts.join(''));
    });
  });
}

function readMultipart(req: Request, limitName: string, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: limitBytes, fields: 10 } });
    } catch (error) {
      reject(new InvalidRequestException([{ field: 'Content-Type', message: (error as Error).message }]));
      return;
    }
    let text: Promise<string> | undefined;
    parser.on('file', (_field, file, info) => {
      const charset = /charset=([^;\s]+)/.exec(info.mimeType ?? '')?.[1] ?? 'utf-8';
      let tooLarge = false;
      file.on('limit', () => { tooLarge = true; });
      text = decodeLimited(file, iconv.encodingExists(charset) ? charset : 'utf-8', limitName, limitBytes).then((t) => {
        if (tooLarge) throw new BodyTooLargeException(limitName, limitBytes);
        return t;
      });
      text.catch(() => undefined);
    });
    parser.on('filesLimit', () => reject(new InvalidRequestException([{ field: 'file', message: 'send exactly one file' }])));
    parser.on('error', (error) => reject(new InvalidRequestException([{ field: 'file', message: `not a multipart body: ${(error as Error).message}` }])));
    parser.on('close', () => {
      if (!text) reject(new InvalidRequestException([{ field: 'file', message: 'the multipart body has no file field' }]));
      else text.then(resolve, reject);
    });
    req.pipe(parser);
  });
}

/** Express error middleware for the body parsers: an oversized JSON body answers 413 problem+json naming the limit. */
export function bodyParserErrors(limitName: string, limitBytes: number) {
  return (error: { type?: string; status?: number; message?: string }, req: Request, res: Response, next: NextFunction): void => {
    if (error?.type !== 'entity.too.large') return next(error);
    res.status(413).type('application/problem+json').send(JSON.stringify({
      type: 'https://doudi.example/problems/http-413',
      title: 'payload too large',
      status: 413,
      detail: `the body is larger than ${limitName} (${limitBytes} bytes)`,
      instance: req.originalUrl,
    }));
  };
}

/** OpenAPI: a CSV route's body as text/csv, multipart (field `file`) or JSON `{ csv }`, with an example file. */
export function ApiCsvBody(example: string) {
  return applyDecorators(
    ApiConsumes('text/csv', 'multipart/form-data', 'application/json'),
    ApiBody({
      description: `A CSV file (UTF-8, BOM optional; \`text/csv; charset=gbk\` also read). Example:\n\n${example}`,
      schema: { type: 'string', example },
    }),
    ApiResponse({ status: 413, description: 'The body is larger than the route\'s configured limit (named in the problem).' }),
    ApiResponse({ status: 415, description: `Accepted: ${CSV_CONTENT_TYPES.join(', ')}.` }),
  );
}
