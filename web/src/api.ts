import { currentToken, signOut } from './auth';

/** A problem+json answer of the API (src/common/problem.ts). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
  requestId?: string;
}

/** An API call that failed: its status, its problem, and the message of each bad field by field path. */
export class ApiError extends Error {
  readonly fieldErrors: Record<string, string[]>;
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.fieldErrors = {};
    for (const e of problem.errors ?? []) (this.fieldErrors[e.field] ??= []).push(e.message);
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  /** No bearer token (the sign-in endpoints). */
  anonymous?: boolean;
}

/** Calls the API with the signed-in user's token; JSON in, JSON out; a problem becomes an ApiError. */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  const token = options.anonymous ? null : currentToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (error) {
    throw new ApiError(0, { type: 'about:blank', title: 'network', status: 0, detail: error instanceof Error ? error.message : String(error) });
  }
  if (response.status === 401 && token) signOut();
  const text = await response.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const problem = (body && typeof body === 'object' ? body : { title: response.statusText || `HTTP ${response.status}` }) as Partial<Problem>;
    throw new ApiError(response.status, { type: 'about:blank', status: response.status, title: '', ...problem } as Problem);
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { title: text.slice(0, 200) };
  }
}

/** Query string of the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
