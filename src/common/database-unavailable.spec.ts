import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['refused on ::1 and 127.0.0.1 (AggregateError)', new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')])],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown 57P01', withCode('terminating connection due to administrator command', '57P01')],
    ['cannot connect now 57P03', withCode('the database system is starting up', '57P03')],
    ['class 08', withCode('connection failure', '08006')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['TypeORM without a connection', new Error('Driver not Connected')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01'))],
    ['as a cause', new Error('outer', { cause: withCode('x', 'ECONNREFUSED') })],
  ])('%s: yes', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value', '23505'))],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['the engine unreachable (fetch)', new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED 127.0.0.1:8088', 'ECONNREFUSED') })],
    ['an SDK error', Object.assign(new Error('connect ECONNREFUSED'), { name: 'NetworkSdkError', cause: withCode('x', 'ECONNREFUSED') })],
    ['not an error', 'ECONNREFUSED'],
    ['a plain error', new Error('boom')],
  ])('%s: no', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
