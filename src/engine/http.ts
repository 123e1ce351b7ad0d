import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { isDatabaseUnavailable } from '../common/database-unavailable';
import { LogRateLimiter } from '../common/log-rate-limit';
import { Engine, EngineError, type JobResult } from './engine';

/**
 * The `/v2` routes of the Camunda 8.8 Orchestration Cluster REST API that the SDK's client uses for our needs,
 * answered by the embedded engine. Errors are RFC 9457 problem documents, as Camunda sends them.
 */

const DEFAULT_TENANT = '<default>';

type Handler = (req: Request) => Promise<unknown>;

/** The engine's lines (a pino logger fits). */
export interface EngineLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export function engineApp(engine: Engine, log: EngineLog): express.Express {
  // Every request fails alike while the database is away: one line per cause per interval.
  const repeats = new LogRateLimiter();
  const logOnce = (level: 'warn' | 'error', error: unknown, message: string) => {
    const suppressed = repeats.admit(`${level}|${String((error as { code?: unknown })?.code)}|${String((error as Error)?.message)}`);
    if (suppressed !== undefined) log[level]({ err: error, ...(suppressed ? { suppressedRepeats: suppressed } : {}) }, message);
  };
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '4mb' }));
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 16 * 1024 * 1024 } });
  const v2 = express.Router();

  const route = (method: 'get' | 'post' | 'put' | 'patch', path: string, handler: Handler, status = 200) => {
    v2[method](path, (req: Request, res: Response, next: NextFunction) => {
      handler(req).then((body) => {
        if (body === undefined) res.status(204).end();
        else res.status(status).json(body);
      }, next);
    });
  };
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
  /**
   * An int64 field: Camunda's REST gateway (Jackson) takes a JSON number or a numeric string, and the SDK sends
   * int64 fields as strings when its request validation is on.
   */
  const int64 = (value: unknown, field: string): number | undefined => {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && /^-?\d{1,19}$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new EngineError(400, 'INVALID_ARGUMENT', `${field} must be an integer`);
    return n;
  };
  const key = (req: Request, name: string) => {
    const value = String(req.params[name]);
    if (!/^-?\d{1,25}$/.test(value)) throw new EngineError(400, 'INVALID_ARGUMENT', `${name} '${value}' is not a valid key`);
    return value;
  };

  route('get', '/topology', () => engine.topology());
  route('get', '/status', async () => undefined);

  v2.post('/deployments', upload.array('resources'), (req: Request, res: Response, next: NextFunction) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const tenantId = (req.body?.tenantId as string | undefined) || DEFAULT_TENANT;
    engine
      .deploy(files.map((file) => ({ name: file.originalname, content: file.buffer })), tenantId)
      .then((result) => res.json(result), next);
  });

  route('post', '/process-instances', (req) => {
    const b = body(req);
    return engine.createProcessInstance({
      processDefinitionId: b.processDefinitionId as string | undefined,
      processDefinitionKey: b.processDefinitionKey as string | undefined,
      processDefinitionVersion: int64(b.processDefinitionVersion, 'processDefinitionVersion'),
      variables: (b.variables as Record<string, unknown> | undefined) ?? {},
      tenantId: (b.tenantId as string | undefined) ?? DEFAULT_TENANT,
      awaitCompletion: b.awaitCompletion === true,
      fetchVariables: b.fetchVariables as string[] | undefined,
      requestTimeout: int64(b.requestTimeout, 'requestTimeout') ?? 0,
    });
  });
  route('post', '/process-instances/search', (req) => engine.searchProcessInstances(body(req)));
  route('get', '/process-instances/:key', (req) => engine.getProcessInstance(key(req, 'key')));
  route('post', '/process-instances/:key/cancellation', async (req) => {
    await engine.cancelProcessInstance(key(req, 'key'));
  });

  route('post', '/process-definitions/search', (req) => engine.searchProcessDefinitions(body(req)));
  route('get', '/process-definitions/:key', (req) => engine.getProcessDefinition(key(req, 'key')));
  // The BPMN XML as Camunda sends it: text/xml, not a JSON string.
  v2.get('/process-definitions/:key/xml', (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => engine.getProcessDefinitionXml(key(req, 'key')))
      .then((xml) => res.status(200).type('text/xml').send(xml), next);
  });

  route('post', '/element-instances/search', (req) => engine.searchElementInstances(body(req)));
  route('get', '/element-instances/:key', (req) => engine.getElementInstance(key(req, 'key')));
  route('put', '/element-instances/:key/variables', async (req) => {
    const b = body(req);
    if (b.local !== undefined && typeof b.local !== 'boolean') throw new EngineError(400, 'INVALID_ARGUMENT', 'local must be a boolean');
    await engine.setVariables(key(req, 'key'), b.variables, b.local === true);
  });

  route('post', '/jobs/activation', (req) => {
    const b = body(req);
    return engine.activateJobs({
      type: String(b.type ?? ''),
      worker: b.worker as string | undefined,
      timeout: Number(int64(b.timeout, 'timeout')),
      maxJobsToActivate: Number(int64(b.maxJobsToActivate, 'maxJobsToActivate')),
      fetchVariable: b.fetchVariable as string[] | undefined,
      requestTimeout: int64(b.requestTimeout, 'requestTimeout'),
      tenantIds: b.tenantIds as string[] | undefined,
    });
  });
  route('post', '/jobs/:key/completion', async (req) => {
    const b = body(req);
    await engine.completeJob(key(req, 'key'), (b.variables as Record<string, unknown> | null) ?? {}, (b.result as JobResult | null) ?? undefined);
  });
  route('post', '/jobs/:key/failure', async (req) => {
    const b = body(req);
    await engine.failJob(key(req, 'key'), {
      retries: int64(b.retries, 'retries'),
      errorMessage: b.errorMessage as string | undefined,
      retryBackOff: int64(b.retryBackOff, 'retryBackOff'),
      variables: b.variables as Record<string, unknown> | undefined,
    });
  });
  route('post', '/jobs/:key/error', async (req) => {
    const b = body(req);
    await engine.throwJobError(key(req, 'key'), String(b.errorCode ?? ''), String(b.errorMessage ?? ''), (b.variables as Record<string, unknown> | null) ?? {});
  });
  route('patch', '/jobs/:key', async (req) => {
    const changeset = (body(req).changeset ?? {}) as Record<string, unknown>;
    await engine.updateJob(key(req, 'key'), { retries: int64(changeset.retries, 'changeset.retries'), timeout: int64(changeset.timeout, 'changeset.timeout') });
  });

  route('post', '/messages/publication', (req) => {
    const b = body(req);
    return engine.publishMessage({
      name: String(b.name ?? ''),
      correlationKey: b.correlationKey as string | undefined,
      timeToLive: int64(b.timeToLive, 'timeToLive'),
      messageId: b.messageId as string | undefined,
      variables: b.variables as Record<string, unknown> | undefined,
      tenantId: (b.tenantId as string | undefined) ?? DEFAULT_TENANT,
    });
  });
  route('post', '/messages/correlation', (req) => {
    const b = body(req);
    return engine.correlateMessage({
      name: String(b.name ?? ''),
      correlationKey: b.correlationKey as string | undefined,
      variables: b.variables as Record<string, unknown> | undefined,
      tenantId: (b.tenantId as string | undefined) ?? DEFAULT_TENANT,
    });
  });

  route('post', '/user-tasks/search', (req) => engine.searchUserTasks(body(req)));
  route('get', '/user-tasks/:key', (req) => engine.getUserTask(key(req, 'key')));
  route('get', '/user-tasks/:key/form', (req) => engine.getUserTaskForm(key(req, 'key')));
  route('post', '/user-tasks/:key/assignment', async (req) => {
    const b = body(req);
    if (typeof b.assignee !== 'string' || !b.assignee) throw new EngineError(400, 'INVALID_ARGUMENT', 'assignee must be a non-empty string');
    await engine.assignUserTask(key(req, 'key'), b.assignee, b.allowOverride !== false);
  });
  v2.delete('/user-tasks/:key/assignee', (req: Request, res: Response, next: NextFunction) => {
    engine.assignUserTask(key(req, 'key'), null).then(() => res.status(204).end(), next);
  });
  route('post', '/user-tasks/:key/completion', async (req) => {
    await engine.completeUserTask(key(req, 'key'), (body(req).variables as Record<string, unknown> | null) ?? {});
  });
  route('get', '/forms/:key', (req) => engine.getForm(key(req, 'key')));

  route('post', '/incidents/search', (req) => engine.searchIncidents(body(req)));
  route('get', '/incidents/:key', (req) => engine.getIncident(key(req, 'key')));
  route('post', '/incidents/:key/resolution', async (req) => {
    await engine.resolveIncident(key(req, 'key'));
  });

  route('post', '/variables/search', (req) => engine.searchVariables(body(req)));
  route('get', '/variables/:key', (req) => engine.getVariable(key(req, 'key')));

  route('put', '/clock', async (req) => {
    const timestamp = int64(body(req).timestamp, 'timestamp');
    if (timestamp === undefined) throw new EngineError(400, 'INVALID_ARGUMENT', 'timestamp must be epoch milliseconds');
    await engine.pinClock(timestamp);
  });
  route('post', '/clock/reset', async () => {
    await engine.resetClock();
  });

  app.use('/v2', v2);
  app.use((req: Request, res: Response) => {
    problem(res, req, new EngineError(404, 'NOT_FOUND', `${req.method} ${req.path} is not served by the embedded engine`));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof EngineError) return problem(res, req, error);
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) return problem(res, req, new EngineError(400, 'INVALID_ARGUMENT', (error as Error).message));
    // The database went away (shutdown, restart): the caller may retry; no stack trace for an expected outage.
    if (isDatabaseUnavailable(error)) {
      logOnce('warn', error, 'embedded engine: database unavailable, answered 503');
      const code = (error as { code?: string }).code;
      return problem(res, req, new EngineError(503, 'UNAVAILABLE', `the engine's database is unavailable${code ? ` (${code})` : ''}`));
    }
    logOnce('error', error, 'embedded engine: unexpected error');
    problem(res, req, new EngineError(500, 'INTERNAL_ERROR', (error as Error).message ?? String(error)));
  });
  return app;
}

function problem(res: Response, req: Request, error: EngineError): void {
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: error.title, status: error.status, detail: error.message, instance: req.originalUrl }));
}
