/**
 * Whether an error means "the database cannot be reached now" (down, restarting, shutting down, pool exhausted),
 * not "this query is wrong": the first is a 503 the caller may retry, the second a bug.
 */

// Network errors of the socket to PostgreSQL.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 connection exceptions.
const SQLSTATE = /^(?:57P0[123]|08[0-9A-Z]{3})$/;
// What pg, pg-pool and TypeORM say without a code when the connection is gone or never came.
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Driver not Connected/i,
  /Connection with .* database is not established/i,
  /Client has encountered a connection error and is not queryable/i,
  /Cannot use a pool after calling end on the pool/i,
  /the database system is (?:starting up|shutting down|in recovery mode)/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 4) return false;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; driverError?: unknown; errors?: unknown };
  // The engine's own client (fetch) fails with the same socket codes: that is the engine, not our database.
  if (typeof e.name === 'string' && /SdkError$/.test(e.name)) return false;
  if (error instanceof TypeError && error.message === 'fetch failed') return false;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  const inner = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((next) => isDatabaseUnavailable(next, depth + 1));
}
