import { pinoHttp } from 'pino-http';
import { QueryFailedError } from 'typeorm';
import { LogCapture } from '../../test/support/test-app';
import { loadConfig } from '../config/app-config';
import { loggerParams, serializeError } from './logging';

const ID = '11010519491231002X';

function pgError(): Error {
  // What `pg` rejects with, and what TypeORM wraps it in: the statement and its parameters ride along.
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "member_id_number_key"'), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (id_number)=(${ID}) already exists.`,
    parameters: ['张三', ID, 180000],
  });
  return new QueryFailedError('INSERT INTO member (name, id_number, income_fen) VALUES ($1, $2, $3)', ['张三', ID, 180000], driverError);
}

describe('logging', () => {
  it('serializes errors without the statement, its parameters or the server detail', () => {
    const serialized = serializeError(pgError()) as Record<string, unknown>;
    const text = JSON.stringify(serialized);
    expect(serialized).toMatchObject({ type: 'QueryFailedError', code: '23505', message: expect.stringContaining('duplicate key') });
    for (const secret of ['张三', '180000', ID, 'INSERT INTO', 'Key (id_number)']) expect(text).not.toContain(secret);
  });

  it('keeps what says why: code, status, cause and the errors of an AggregateError (ECONNREFUSED on ::1 and 127.0.0.1)', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:5432`), { code: 'ECONNREFUSED', address, port: 5432, syscall: 'connect' });
    const aggregate = new AggregateError([refused('::1'), refused('127.0.0.1')]);
    const wrapped = Object.assign(new Error('Connection failed', { cause: aggregate }), { status: 503, parameters: ['x'] });
    const serialized = serializeError(wrapped) as Record<string, any>;
    expect(serialized.status).toBe(503);
    expect(serialized.parameters).toBeUndefined();
    expect(serialized.cause.errors.map((e: { code: string }) => e.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(serialized.cause.errors[1]).toMatchObject({ address: '127.0.0.1', port: 5432, syscall: 'connect' });
    expect(serializeError('plain text')).toBe('plain text');
  });

  it('writes error lines through the app logger without household data', () => {
    const capture = new LogCapture();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
    const [options, destination] = loggerParams(config, capture).pinoHttp as [object, LogCapture];
    const { logger } = pinoHttp(options, destination);
    logger.error({ err: pgError() }, 'request failed');
    expect(capture.lines).toHaveLength(1);
    const line = JSON.parse(capture.lines[0]!);
    expect(line.err).toMatchObject({ type: 'QueryFailedError', code: '23505' });
    for (const secret of ['张三', '180000', ID, 'INSERT INTO']) expect(capture.text).not.toContain(secret);
  });
});
