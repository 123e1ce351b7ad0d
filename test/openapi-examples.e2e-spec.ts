import Ajv, { type ValidateFunction } from 'ajv';
import request from 'supertest';
import { ALL_ROLES, Role } from '../src/auth/roles';
import { type Actor, Scenario } from './support/scenario';

/**
 * Issue 21: the OpenAPI document's own examples succeed, as an integrator reading /api/docs only would send them.
 * Every operation of the document is sent with its example body (JSON, or the CSV text), its query parameters'
 * examples and its Idempotency-Key when it has one, to the whole service on the embedded engine, and must answer
 * 2xx; a 201 must carry the `Location` it declares, and that URL must answer 200. Its JSON answer must match the
 * schema the document gives that status (components resolved, OpenAPI's `nullable` honoured): a 2xx JSON answer
 * without a schema fails, naming the operation, so a wrong or missing response class shows here.
 *
 * Order: operations run in PLAN's order, so that path parameters are read from what earlier examples created (the
 * application's case and process instance, its first task, the temporary-aid request, the registry entry, the
 * sampling batch, a policy profile); operations of the document that PLAN does not name run after it, with the
 * county's all-roles actor, and need no path parameter. An operation without a summary or an example fails, naming
 * it; one the test cannot run is in UNEXERCISED with its reason.
 */

const COUNTY = '410821';
const TOWNSHIP = '410821100';
const VILLAGE = '410821100201';
/** Every role, of the county: most examples only need to be allowed. */
const COUNTY_ALL: Actor = { roles: [...ALL_ROLES], region: COUNTY, id: 'examples' };
const CASEWORKER: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-li' };
const LEADER: Actor = { roles: [Role.TownshipLeader], region: TOWNSHIP, id: 'leader-wang' };
/** AssignTaskDto's example hands the task to caseworker-zhao, who then completes it. */
const ASSIGNEE: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-zhao' };
/** The State Council's arrangement is loaded by a calendar administrator of a province or the nation. */
const NATION_CALENDAR: Actor = { roles: [Role.CalendarAdmin], region: '000000', id: 'calendar-admin' };

/** Operations the test cannot run, with why; keep it short. */
const UNEXERCISED: Record<string, string> = {
  'POST /api/v1/dibao/cases/{id}/objections': 'only during the public notice, five steps into the procedure (test/dibao.scenario.e2e-spec.ts drives it)',
  'POST /api/v1/dibao/cases/{id}/reviews': 'only for an enrolled household, at the end of the procedure (test/dibao-review-hearing.e2e-spec.ts)',
  'POST /api/v1/dibao/cases/{id}/extension': 'only while an accepted case runs; the example case waits for materials (test/deadline-moved.e2e-spec.ts)',
  'POST /api/v1/temporary-aid/requests/{id}/paperwork': 'only after a rescue-first payment (test/temporary-aid.scenario.e2e-spec.ts)',
  'POST /api/v1/sla/incidents/{incidentKey}/retry': 'needs an engine incident (test/incidents.e2e-spec.ts)',
  'PUT /api/v1/training/clock': 'only on a training install, where the service reads the embedded engine\'s clock; this app runs on a test clock (test/training-clock.e2e-spec.ts)',
  'GET /api/v1/payment-cycles/{id}/bank-file': 'needs a payment cycle (test/files.e2e-spec.ts)',
  'POST /api/v1/payment-cycles/{id}/bank-results': 'needs a payment cycle with issued lines whose ids the file names (test/files.e2e-spec.ts)',
};

type Ids = Record<string, string>;
interface Step {
  actor?: Actor;
  /** Path parameters, from what earlier steps kept. */
  params?: (ids: Ids) => Record<string, string>;
  /** Waits for the state the example needs (the engine works asynchronously). */
  before?: (s: Scenario, ids: Ids) => Promise<void>;
  /** Keeps what later steps need from the answer. */
  keep?: (body: any, ids: Ids) => void;
}

const PLAN: [string, Step][] = [
  ['GET /health', {}],
  ['GET /api/v1/workbench/config', {}],
  ['GET /api/v1/workbench/dev-users', {}],
  ['POST /api/v1/workbench/dev-token', {}],
  ['POST /api/v1/health-checks', {}],
  ['GET /api/v1/regions', {}],
  ['GET /api/v1/regions/{code}', { params: () => ({ code: VILLAGE }) }],
  ['POST /api/v1/regions', {}],
  ['GET /api/v1/policy-profiles', { keep: (body, ids) => (ids.profile = body[0].id) }],
  ['GET /api/v1/policy-profiles/in-force', {}],
  ['GET /api/v1/policy-profiles/{id}', { params: (ids) => ({ id: ids.profile! }) }],
  ['PUT /api/v1/calendar/years/{year}', { actor: NATION_CALENDAR, params: () => ({ year: '2027' }) }],
  ['POST /api/v1/dibao/applications', { keep: (body, ids) => ((ids.case = body.caseId), (ids.instance = body.processInstanceKey)) }],
  ['GET /api/v1/dibao/cases/{id}', { params: (ids) => ({ id: ids.case! }) }],
  ['GET /api/v1/dibao/cases/{id}/payments', { params: (ids) => ({ id: ids.case! }) }],
  ['GET /api/v1/process-instances/{processInstanceKey}/diagram', { params: (ids) => ({ processInstanceKey: ids.instance! }) }],
  ['GET /api/v1/sla/cases/{subjectType}/{subjectId}/audit', { params: (ids) => ({ subjectType: 'dibao-case', subjectId: ids.case! }) }],
  [
    'GET /api/v1/tasks',
    {
      actor: CASEWORKER,
      before: async (s, ids) => {
        const task = await s.taskIn(ids.instance!, 'Task_accept', CASEWORKER);
        ids.task = task.userTaskKey;
      },
    },
  ],
  ['GET /api/v1/tasks/{key}', { actor: CASEWORKER, params: (ids) => ({ key: ids.task! }) }],
  ['POST /api/v1/tasks/{key}/claim', { actor: CASEWORKER, params: (ids) => ({ key: ids.task! }) }],
  ['POST /api/v1/tasks/{key}/unclaim', { actor: CASEWORKER, params: (ids) => ({ key: ids.task! }) }],
  ['POST /api/v1/tasks/{key}/assignment', { actor: LEADER, params: (ids) => ({ key: ids.task! }) }],
  ['POST /api/v1/tasks/{key}/complete', { actor: ASSIGNEE, params: (ids) => ({ key: ids.task! }) }],
  [
    'POST /api/v1/dibao/cases/{id}/materials',
    {
      params: (ids) => ({ id: ids.case! }),
      // The completion's example said materials are missing: the case waits for them once the engine moved on.
      before: async (s, ids) => {
        await s.until('the case to wait for materials', async () => (await s.get(COUNTY_ALL, `/api/v1/dibao/cases/${ids.case}`)).body.status, (status) => status === 'awaiting-materials');
      },
    },
  ],
  ['POST /api/v1/temporary-aid/requests', { keep: (body, ids) => (ids.aid = body.requestId) }],
  ['GET /api/v1/temporary-aid/requests/{id}', { params: (ids) => ({ id: ids.aid! }) }],
  // The advance opens the township's fund; its ledger is read after.
  ['POST /api/v1/reserve-funds/{township}/advances', { params: () => ({ township: TOWNSHIP }) }],
  ['GET /api/v1/reserve-funds/{township}', { params: () => ({ township: TOWNSHIP }) }],
  ['POST /api/v1/reserve-funds/{township}/replenishments', { params: () => ({ township: TOWNSHIP }) }],
  ['POST /api/v1/relatives-registry', { keep: (body, ids) => (ids.entry = body.id) }],
  ['GET /api/v1/relatives-registry/{id}', { params: (ids) => ({ id: ids.entry! }) }],
  ['POST /api/v1/relatives-registry/{id}/end', { params: (ids) => ({ id: ids.entry! }) }],
  ['POST /api/v1/sampling/batches', { keep: (body, ids) => (ids.batch = body.id) }],
  ['GET /api/v1/sampling/batches/{id}', { params: (ids) => ({ id: ids.batch! }) }],
  ['POST /api/v1/sampling/batches/{id}/verify', { params: (ids) => ({ id: ids.batch! }) }],
  ['POST /api/v1/payment-cycles', { keep: (body, ids) => (ids.cycle = body.id) }],
  ['GET /api/v1/payment-cycles/{id}', { params: (ids) => ({ id: ids.cycle! }) }],
];

type Media = { example?: unknown; schema?: unknown };
interface Parameter { name?: string; in?: string; required?: boolean; description?: string; example?: unknown; schema?: { example?: unknown }; $ref?: string }
interface Operation {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { headers?: Record<string, unknown>; $ref?: string; content?: Record<string, Media> }>;
}
interface Document { paths: Record<string, Record<string, Operation>>; components: { parameters?: Record<string, Parameter>; schemas?: Record<string, unknown> } }

/**
 * OpenAPI 3.0's schema dialect as JSON Schema for ajv: `nullable: true` becomes "or null" (ajv alone rejects it
 * beside `$ref`/`allOf`, where Nest puts it for a nullable nested class), and `#/components/schemas/X` refs point
 * into the one schema ajv is given under the id `doc`.
 */
function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (!schema || typeof schema !== 'object') return schema;
  const { nullable, example: _example, ...rest } = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = `doc${value}`;
    // `properties` maps names to schemas: its keys are not keywords, its values are schemas.
    else if (key === 'properties' && value && typeof value === 'object') out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSchemaOf(v)]));
    else out[key] = jsonSchemaOf(value);
  }
  // An answer's fields are all documented: an object that declares its properties allows no others unless it says so.
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/** A validator per operation and status, for its JSON answer. */
function responseValidators(doc: Document): (name: string, status: number) => ValidateFunction | undefined {
  // Formats (date, uuid, uri) are not checked: ajv-formats is not a dependency; types, enums, required and nulls are.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: { schemas: jsonSchemaOf(doc.components.schemas ?? {}) } });
  const cache = new Map<string, ValidateFunction | undefined>();
  return (name, status) => {
    const key = `${name} ${status}`;
    if (!cache.has(key)) {
      const [method, path] = name.split(' ') as [string, string];
      const schema = doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema;
      cache.set(key, schema === undefined ? undefined : ajv.compile(jsonSchemaOf(schema) as object));
    }
    return cache.get(key);
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('the OpenAPI document\'s examples', () => {
  let s: Scenario;
  let doc: Document;
  const operations = new Map<string, Operation>();
  let validatorOf: ReturnType<typeof responseValidators>;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
    doc = (await request(s.app.getHttpServer()).get('/api/docs/openapi.json').expect(200)).body;
    for (const [path, item] of Object.entries(doc.paths)) for (const method of METHODS) if (item[method]) operations.set(`${method.toUpperCase()} ${path}`, item[method]!);
    validatorOf = responseValidators(doc);
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  const parameterOf = (p: Parameter): Parameter => (p.$ref ? doc.components.parameters![p.$ref.split('/').pop()!]! : p);

  it('declares Idempotency-Key once, optional, and every creating operation that takes one refers to it', () => {
    const inline = [...operations].flatMap(([name, op]) => (op.parameters ?? []).filter((p) => !p.$ref && p.name?.toLowerCase() === 'idempotency-key').map(() => name));
    expect(inline).toEqual([]);
    const shared = Object.values(doc.components.parameters ?? {}).filter((p) => p.name?.toLowerCase() === 'idempotency-key');
    expect(shared).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
    const users = [...operations].filter(([, op]) => (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/IdempotencyKey')).map(([name]) => name);
    expect(users).toEqual(expect.arrayContaining(['POST /api/v1/dibao/applications', 'POST /api/v1/temporary-aid/requests']));
  });

  it('declares Location on every 201', () => {
    const without = [...operations].filter(([, op]) => op.responses['201'] && !op.responses['201'].headers?.Location).map(([name]) => name);
    expect(without).toEqual([]);
  });

  it('gives every operation a summary and an example for its body and required parameters', () => {
    const missing: string[] = [];
    for (const [name, op] of operations) {
      if (!op.summary) missing.push(`${name}: no summary (src/openapi/operations.ts)`);
      const content = op.requestBody?.content ?? {};
      if (op.requestBody && !Object.values(content).some((m) => m.example !== undefined)) missing.push(`${name}: no request example (src/openapi/operations.ts)`);
      for (const p of (op.parameters ?? []).map(parameterOf)) {
        if (p.in === 'query' && p.required && p.example === undefined && p.schema?.example === undefined) missing.push(`${name}: no example for the required query parameter ${p.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('describes every query parameter of every operation, with an example', () => {
    const undescribed = [...operations].flatMap(([name, op]) =>
      (op.parameters ?? [])
        .map(parameterOf)
        .filter((p) => p.in === 'query' && (!p.description || (p.example ?? p.schema?.example) === undefined))
        .map((p) => `${name} ?${p.name}: ${p.description ? '' : 'no description '}${(p.example ?? p.schema?.example) === undefined ? 'no example' : ''}`.trim()),
    );
    expect(undescribed).toEqual([]);
  });

  it('gives every 2xx answer but a 204 its media type and schema, the unexercised operations too', () => {
    const missing: string[] = [];
    for (const [name, op] of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^2\d\d$/.test(status) || status === '204') continue;
        const media = Object.entries(response.content ?? {});
        if (!media.length) missing.push(`${name} ${status}: no content`);
        for (const [type, m] of media) if (!m.schema) missing.push(`${name} ${status} ${type}: no schema`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names only operations the document has, among the planned and the unexercised', () => {
    const names = [...PLAN.map(([name]) => name), ...Object.keys(UNEXERCISED)];
    expect(names.filter((name) => !operations.has(name))).toEqual([]);
  });

  it('answers the issue\'s broken example with every problem at once, as its ProblemDetail schema says', async () => {
    const example = structuredClone(operations.get('POST /api/v1/dibao/applications')!.requestBody!.content['application/json']!.example) as { members: { idNumber: string }[]; expenditures: { memberId: string }[] };
    example.members = example.members.slice(0, 1);
    example.members[0]!.idNumber = '410821199003071236'; // issue 21: a wrong check character …
    example.expenditures = [{ ...example.expenditures[0]!, memberId: 'm2' }]; // … and a member that is not listed
    const refused = await s.post(COUNTY_ALL, '/api/v1/dibao/applications', example);
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['members[0].idNumber', 'expenditures[0].memberId']));
    const schema = (doc as unknown as { components: { schemas: Record<string, { required: string[]; properties: Record<string, unknown> }> } }).components.schemas.ProblemDetail!;
    expect(Object.keys(refused.body).filter((key) => !(key in schema.properties))).toEqual([]);
    expect(schema.required.filter((key) => !(key in refused.body))).toEqual([]);

    const misplaced = await s.post(CASEWORKER, '/api/v1/tasks/2251799813685249/complete', { materialsComplete: true });
    expect(misplaced.status).toBe(400);
    expect(misplaced.body.errors).toEqual([{ field: 'materialsComplete', message: expect.stringContaining('put the form\'s values under "variables"') }]);
  });

  it('succeeds with every example, in order', async () => {
    const ids: Ids = {};
    const failures: string[] = [];
    const planned = new Map(PLAN);
    const rest = [...operations.keys()].filter((name) => !planned.has(name) && !(name in UNEXERCISED));
    // The rest: reads first, so that a new list route sees what the plan created.
    rest.sort((a, b) => Number(!a.startsWith('GET ')) - Number(!b.startsWith('GET ')));
    let sent = 0;
    for (const name of [...PLAN.map(([n]) => n), ...rest]) {
      const op = operations.get(name);
      if (!op) continue; // reported by the test above
      sent += 1;
      const step = planned.get(name) ?? {};
      const failure = await send(name, op, step, ids).catch((error: Error) => `${name}: ${error.message}`);
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
    expect(sent).toBe(operations.size - Object.keys(UNEXERCISED).length);
  }, 300_000);

  /** Sends one operation's example; answers why it failed, or undefined. */
  async function send(name: string, op: Operation, step: Step, ids: Ids): Promise<string | undefined> {
    const [method, template] = name.split(' ') as [string, string];
    const actor = step.actor ?? COUNTY_ALL;
    await step.before?.(s, ids);
    const params = step.params?.(ids) ?? {};
    const path = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      if (params[key] === undefined) throw new Error(`the test has no value for {${key}}: give the operation a step in PLAN that reads it from an earlier example (or list it in UNEXERCISED with why)`);
      return encodeURIComponent(params[key]!);
    });
    const query: Record<string, string> = {};
    for (const p of (op.parameters ?? []).map(parameterOf)) {
      const example = p.example ?? p.schema?.example;
      if (p.in === 'query' && example !== undefined) query[p.name!] = String(example);
    }
    const idempotent = (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/IdempotencyKey');
    let call = request(s.app.getHttpServer())[method.toLowerCase() as 'get'](path).query(query).set('Authorization', `Bearer ${await s.token(actor)}`);
    if (idempotent) call = call.set('Idempotency-Key', `examples ${name}`.replace(/[^\x21-\x7e]/g, '-'));
    const content = op.requestBody?.content ?? {};
    if (content['text/csv']?.example !== undefined) call = call.set('Content-Type', 'text/csv').send(String(content['text/csv'].example));
    else if (content['application/json']?.example !== undefined) call = call.send(content['application/json'].example as object);
    const response = await call;
    if (response.status < 200 || response.status > 299) return `${name}: ${response.status} ${JSON.stringify(response.body).slice(0, 400)}`;
    if (response.status === 201) {
      const location = response.headers.location as string | undefined;
      if (!location) return `${name}: 201 without a Location header`;
      const created = await s.get(actor, location);
      if (created.status !== 200) return `${name}: its Location ${location} answers ${created.status}`;
    }
    // Kept before the schema's check, so one wrong schema does not hide the steps after it.
    step.keep?.(response.body, ids);
    if (/^application\/json/.test(String(response.headers['content-type'] ?? ''))) {
      const validate = validatorOf(name, response.status);
      if (!validate) return `${name}: answered ${response.status} JSON, but the document gives no schema for it`;
      if (!validate(response.body)) return `${name}: the ${response.status} answer does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 5))} in ${JSON.stringify(response.body).slice(0, 300)}`;
    }
    return undefined;
  }
});
