import { applyDecorators, HttpException, HttpStatus } from '@nestjs/common';
import { ApiExtension, ApiResponse } from '@nestjs/swagger';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import * as iconv from 'iconv-lite';
import { parse } from 'csv-parse';
import { PassThrough, Readable, Transform } from 'stream';
import { type FieldProblem, InvalidRequestException } from './problem';
import { hasControlCharacter } from './request-validation';

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

/** One record of a CSV file: its 1-based row (the header not counted) and its columns by name. */
export interface CsvRecord {
  row: number;
  values: Record<string, string>;
}

/**
 * A CSV route's body as records, parsed as it arrives: the body is never held whole, and reading stops (413) as soon
 * as it passes the route's limit. `text/csv` (charset utf-8 or gbk) and multipart (one file field) are streamed;
 * JSON `{ "csv": "…" }` was already parsed by the JSON body parser (under its own, smaller limit). The header must
 * name every column of `required` (400 `csv.header`); a body that is no CSV is a 400 on `csv`. Consumers read the
 * records in batches (`inBatches`) inside their transaction, so a file is applied all or nothing.
 */
export async function* readCsvRecords(req: Request, limitName: string, limitBytes: number, required: readonly string[], columns: readonly string[] = required): AsyncGenerator<CsvRecord> {
  const text = csvText(req, limitName, limitBytes);
  const parser = text.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        const missing = required.filter((c) => !header.includes(c));
        if (missing.length) throw new InvalidRequestException([headerProblem(columns, missing)]);
        return header;
      },
    }),
  );
  // A failure of the body (too large, not multipart) ends the parse with that error.
  text.on('error', (error) => parser.destroy(error));
  let row = 0;
  try {
    for await (const values of parser as AsyncIterable<Record<string, string>>) {
      row += 1;
      // NUL (or another control character) would reach a text column and fail there: the file is refused here.
      const bad = Object.keys(values).filter((column) => hasControlCharacter(values[column] ?? '') || hasControlCharacter(column));
      if (bad.length) throw new InvalidRequestException(bad.map((column) => ({ field: `csv[row ${row}].${column}`, message: `${column} must not contain control characters (such as NUL)` })));
      yield { row, values };
    }
  } catch (error) {
    if (error instanceof HttpException) throw error;
    throw new InvalidRequestException([{ field: 'csv', message: `not a CSV file: ${(error as Error).message}` }]);
  } finally {
    // Whatever stopped the reading, the rest of the body is drained so the answer goes out on the same connection.
    req.resume();
  }
  if (row === 0) throw new InvalidRequestException([headerProblem(columns, [])]);
}

function headerProblem(columns: readonly string[], missing: string[]): FieldProblem {
  return { field: 'csv.header', message: `the header must name the columns ${columns.join(', ')}${missing.length ? `; missing: ${missing.join(', ')}` : ''}` };
}

/** Groups records in arrays of `size`: each batch is checked and written in one statement. */
export async function* inBatches<T>(records: AsyncIterable<T>, size = 5_000): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The body as decoded text, a stream that fails with 413 past the limit, 415 for a type not accepted. */
function csvText(req: Request, limitName: string, limitBytes: number): Readable {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    const csv = (req.body as { csv?: unknown } | undefined)?.csv;
    if (typeof csv !== 'string') throw new InvalidRequestException([{ field: 'csv', message: 'csv must be the file\'s text' }]);
    return Readable.from([csv]);
  }
  if (type.startsWith('text/csv')) {
    const charset = /charset=([^;\s]+)/.exec(type)?.[1] ?? 'utf-8';
    if (!iconv.encodingExists(charset)) throw new InvalidRequestException([{ field: 'Content-Type', message: `unknown charset ${charset}` }]);
    if (Number(req.headers['content-length']) > limitBytes) throw new BodyTooLargeException(limitName, limitBytes);
    return decodeLimited(req, charset, limitName, limitBytes);
  }
  if (type.startsWith('multipart/form-data')) return multipartFile(req, limitName, limitBytes);
  throw new UnsupportedCsvTypeException(req.headers['content-type']);
}

/** Decodes a byte stream, failing with 413 once more than `limitBytes` arrived. */
function decodeLimited(bytes: Readable, charset: string, limitName: string, limitBytes: number): Readable {
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limitBytes ? new BodyTooLargeException(limitName, limitBytes) : null, chunk);
    },
  });
  const decoded = iconv.decodeStream(charset) as unknown as Transform;
  bytes.on('error', (error) => decoded.destroy(error));
  limited.on('error', (error) => decoded.destroy(error));
  return bytes.pipe(limited).pipe(decoded) as unknown as Readable;
}

/** The one file of a multipart body, decoded as it arrives. */
function multipartFile(req: Request, limitName: string, limitBytes: number): Readable {
  const out = new PassThrough();
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: limitBytes, fields: 10 } });
  } catch (error) {
    throw new InvalidRequestException([{ field: 'Content-Type', message: (error as Error).message }]);
  }
  let found = false;
  parser.on('file', (_field, file, info) => {
    found = true;
    const charset = /charset=([^;\s]+)/.exec(info.mimeType ?? '')?.[1] ?? 'utf-8';
    // busboy stops a file at fileSize and says so: that is the route's limit.
    file.on('limit', () => out.destroy(new BodyTooLargeException(limitName, limitBytes)));
    const text = decodeLimited(file, iconv.encodingExists(charset) ? charset : 'utf-8', limitName, limitBytes);
    text.on('error', (error) => out.destroy(error));
    text.pipe(out);
  });
  parser.on('filesLimit', () => out.destroy(new InvalidRequestException([{ field: 'file', message: 'send exactly one file' }])));
  parser.on('error', (error) => out.destroy(new InvalidRequestException([{ field: 'file', message: `not a multipart body: ${(error as Error).message}` }])));
  parser.on('close', () => {
    if (!found) out.destroy(new InvalidRequestException([{ field: 'file', message: 'the multipart body has no file field' }]));
  });
  req.pipe(parser);
  return out;
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

/** Marks a CSV route in the OpenAPI document: src/openapi/document.ts writes its body with `csvRequestBody`. */
export const CSV_BODY_EXTENSION = 'x-doudi-csv-body';

/** OpenAPI: a CSV route — its body (text/csv, multipart field `file`, or JSON `{ csv }`) and its 413 / 415. */
export function ApiCsvBody() {
  return applyDecorators(
    ApiExtension(CSV_BODY_EXTENSION, true),
    ApiResponse({ status: 413, description: 'The body is larger than the route\'s configured limit (named in the problem).' }),
    ApiResponse({ status: 415, description: `Accepted: ${CSV_CONTENT_TYPES.join(', ')}.` }),
  );
}

/** The request body of a CSV route, in each of the three forms it is read in, with the example file. */
export function csvRequestBody(example: string) {
  return {
    required: true,
    description: 'A CSV file (UTF-8, BOM optional; `text/csv; charset=gbk` also read); a header row naming the columns; all or nothing.',
    content: {
      'text/csv': { schema: { type: 'string' }, example },
      'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'The CSV file' } } } },
      'application/json': { schema: { type: 'object', required: ['csv'], properties: { csv: { type: 'string', description: 'The CSV text' } }, additionalProperties: false }, example: { csv: example } },
    },
  };
}
