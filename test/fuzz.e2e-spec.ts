import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ALL_ROLES } from '../src/auth/roles';
import { dbSnapshot, snapshotChanges } from './support/db-snapshot';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Issue 17: every creating route (POST / PUT of the OpenAPI document the app builds) gets ≈200 generated requests —
 * bodies from its schema, mutated with hostile values — plus fixed hostile shapes (deep nesting, NUL, impossible
 * dates, wrong types, huge numbers, bad path ids). None may answer ≥ 500, and a refused one (4xx) may change no row
 * count of any table and advance no sequence. Reproduce a failure with FUZZ_SEED=<seed printed> (FUZZ_RUNS to scale).
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const VILLAGE = '410821100201';

type Schema = { $ref?: string; type?: string; enum?: unknown[]; example?: unknown; format?: string; pattern?: string; minimum?: number; maximum?: number; items?: Schema; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: unknown; allOf?: Schema[] };
interface Parameter { name: string; in: string; schema?: Schema }
interface Operation { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> } }
interface Route { method: 'post' | 'put'; path: string; operation: Operation }
interface Call { path: string; query: Record<string, unknown>; body: { kind: 'json'; value: unknown } | { kind: 'raw'; type: string; text: string } | { kind: 'none' }; idempotencyKey?: string }

const HOSTILE_STRINGS = ['', ' ', '\u3000\t ', 'a\u0000b', '\u0000', 'x\u0007y', '\u001b[31m', '2026-02-30', '2026-13-01', '0000-01-01', '1900-01', '99999-01-01', 'abc', '9223372036854775808', '-1', '0', '1e400',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', "'; DROP TABLE dibao_case; --", '\ud800', '𠮷'.repeat(40), 'x'.repeat(3000), '410821', '410821100', '410821100201', '410821209901011236'];
const HOSTILE_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 9007199254740993, 2 ** 63, [], {}, [null], { a: { b: { c: [1] } } }, ['a\u0000']];
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.constantFrom(...HOSTILE_VALUES), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 1 },
  { arbitrary: fc.oneof(fc.integer(), fc.double()), weight: 1 },
);

/** Deep nesting and other bodies no schema describes, sent raw as JSON to every route. */
const HOSTILE_BODIES = [
  '['.repeat(5000) + ']'.repeat(5000),
  '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
  `{"members":${'['.repeat(3000)}${']'.repeat(3000)}}`,
  '"a\\u0000b"', 'null', '[]', '123', '{', '{"amountFen": 1e400, "note": "x"}', '{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"x": 1}}}',
];
const HOSTILE_PATH_IDS = ['abc', '\u0000', 'a\u0000b', '9223372036854775808', '0', '-1', '1.5', '00000000-0000-0000-0000-00000000000g', ' ', '%', '..', 'x'.repeat(300)];

describe('fuzz: no 5xx, nothing written on refusal', () => {
  let s: Scenario;
  let db: DataSource;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  const known: Record<string, string> = {};
  let last: Record<string, string>;
  let base: string;
  let stale = false;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
    db = s.app.get(DataSource);
    // Listening once: supertest would otherwise start the server on a new port for every one of ≈5,000 requests.
    await s.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(s.app.getHttpServer().address() as { port: number }).port}`;
    doc = (await request(base).get('/api/docs/openapi.json').expect(200)).body;
    // Real ids, so that generated requests also reach past "not found".
    const integrator: Actor = { roles: [...ALL_ROLES], region: '410821', id: 'fuzz' };
    known['/dibao/cases/'] = await s.apply(integrator, Scenario.application(VILLAGE, '张三', '19900307', '901'));
    const aid = await s.post(integrator, '/api/v1/temporary-aid/requests', { regionCode: VILLAGE, channel: 'self', area: 'rural', applicantName: '马成', applicantIdNumber: idNumber(VILLAGE, '19800101', '902'), householdSize: 2, description: '房屋失火' });
    known['/temporary-aid/requests/'] = aid.body.id ?? aid.body.requestId;
    const entry = await s.post(integrator, '/api/v1/relatives-registry', { staffName: '王经办', staffIdNumber: idNumber(VILLAGE, '19850101', '903'), post: 'township-caseworker', regionCode: '410821100', relativeName: '王弟', relativeIdNumber: idNumber(VILLAGE, '19900909', '904'), relation: 'sibling', validFrom: '2026-01-01' });
    known['/relatives-registry/'] = entry.body.id;
    last = await settled();
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  /**
   * The snapshot once background work started by an accepted request (outbox dispatch, job workers) is done: nothing
   * left to dispatch or to work, and two equal reads. Polls work already due; never waits for a deadline.
   */
  async function settled(): Promise<Record<string, string>> {
    let previous = await dbSnapshot(db);
    for (let i = 0; i < 150; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [{ busy }] = await db.query(
        `SELECT (SELECT count(*) FROM engine_outbox WHERE dispatched_at IS NULL) + (SELECT count(*) FROM engine_job WHERE retries > 0 AND retry_at IS NULL) AS busy`,
      );
      const now = await dbSnapshot(db);
      if (Number(busy) === 0 && snapshotChanges(previous, now).length === 0) {
        stale = false;
        if (process.env.FUZZ_DEBUG) process.stdout.write(`settled after ${i + 1}\n`);
        return now;
      }
      previous = now;
    }
    if (process.env.FUZZ_DEBUG) process.stdout.write(`settle gave up\n`);
    stale = true;
    return previous;
  }

  const resolve = (schema: Schema | undefined): Schema | undefined => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema);

  /** Fields whose valid values no schema spells out: ID numbers with a check character, regions in the caller's county. */
  const validId = fc.tuple(fc.integer({ min: 1930, max: 2020 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 100, max: 999 }))
    .map(([y, m, d, seq]) => idNumber(VILLAGE, `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`, String(seq)));
  function hinted(name: string | undefined): fc.Arbitrary<unknown> | undefined {
    if (name && /idNumber$/i.test(name)) return validId;
    if (name === 'regionCode') return fc.constantFrom(VILLAGE, '410821100');
    return undefined;
  }

  /** Values a schema describes (examples first: they are valid, so mutations probe one field at a time). */
  function valueFor(input: Schema | undefined, depth = 0, name?: string): fc.Arbitrary<unknown> {
    const hint = hinted(name);
    if (hint) return hint;
    const schema = resolve(input);
    if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
    if (schema.allOf) return valueFor(schema.allOf[0], depth + 1);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const typed = (): fc.Arbitrary<unknown> => {
      switch (schema.type) {
        case 'string':
          if (schema.format === 'uuid') return fc.uuid();
          if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
          return fc.string({ maxLength: 20 });
        case 'number':
        case 'integer':
          return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
        case 'boolean':
          return fc.boolean();
        case 'array':
          return fc.array(valueFor(schema.items, depth + 1), { minLength: 1, maxLength: 3 });
        case 'object':
        case undefined:
          if (schema.properties) return fc.record(Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, valueFor(v, depth + 1, k)])));
          return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
        default:
          return fc.jsonValue({ maxDepth: 2 });
      }
    };
    return schema.example !== undefined ? fc.oneof({ arbitrary: fc.constant(schema.example), weight: 4 }, { arbitrary: typed(), weight: 1 }) : typed();
  }

  /** Every path of a JSON value, for mutations: [] is the root. */
  function pathsOf(value: unknown): (string | number)[][] {
    const out: (string | number)[][] = [[]];
    const stack: [unknown, (string | number)[]][] = [[value, []]];
    while (stack.length) {
      const [v, at] = stack.pop()!;
      if (v && typeof v === 'object') for (const [k, child] of Object.entries(v)) {
        const next = [...at, Array.isArray(v) ? Number(k) : k];
        out.push(next);
        stack.push([child, next]);
      }
    }
    return out;
  }

  type Mutation = { kind: 'replace' | 'delete' | 'add'; pick: number; value: unknown; key: string };
  const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('replace', 'replace', 'delete', 'add'), pick: fc.nat(), value: hostile, key: fc.constantFrom('extra', 'a\u0000', '__proto__', 'regionCode', 'idNumber') });

  function mutate(value: unknown, mutations: Mutation[]): unknown {
    let body = structuredClone(value);
    for (const original of mutations) {
      // Hostile values are shared constants: each insertion gets its own copy.
      const m = { ...original, value: structuredClone(original.value) };
      const paths = pathsOf(body);
      const at = paths[m.pick % paths.length]!;
      if (at.length === 0) {
        if (m.kind === 'replace') body = m.value;
        else if (m.kind === 'add' && body && typeof body === 'object') Object.defineProperty(body, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
        continue;
      }
      const parent = at.slice(0, -1).reduce<any>((o, k) => o[k], body);
      const key = at[at.length - 1]!;
      if (!parent || typeof parent !== 'object') continue;
      if (m.kind === 'replace') parent[key] = m.value;
      else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key];
      else Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
    return body;
  }

  /**
   * Makes a generated household consistent before it is mutated (ages from the ID numbers, member ids m1…, one
   * applicant, incomes of m1), so that most requests fail on the one field a mutation broke, or pass.
   */
  function harmonise(value: unknown): unknown {
    const stack = [value];
    while (stack.length) {
      const v = stack.pop();
      if (!v || typeof v !== 'object') continue;
      const o = v as Record<string, any>;
      if (typeof o.idNumber === 'string' && typeof o.age === 'number' && /^\d{17}/.test(o.idNumber)) o.age = 2026 - Number(o.idNumber.slice(6, 10)) - (o.idNumber.slice(10, 14) > '0914' ? 1 : 0);
      if (Array.isArray(o.members)) o.members.forEach((m: any, i: number) => m && typeof m === 'object' && ((m.id = `m${i + 1}`), (m.relation = i === 0 ? 'applicant' : m.relation === 'applicant' ? 'child' : m.relation)));
      for (const list of ['incomes', 'expenditures']) if (Array.isArray(o[list])) for (const e of o[list]) if (e && typeof e === 'object') e.memberId = 'm1';
      stack.push(...Object.values(o));
    }
    return value;
  }

  const mutated = (base: fc.Arbitrary<unknown>) => fc.tuple(base, fc.array(mutation, { maxLength: 2 })).map(([v, ms]) => mutate(harmonise(structuredClone(v)), ms));

  function pathParam(route: Route, name: string): fc.Arbitrary<string> {
    const schema = route.operation.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema;
    const prefix = Object.keys(known).find((k) => route.path.includes(k));
    const good: fc.Arbitrary<string>[] = [];
    if (schema?.format === 'uuid') good.push(fc.uuid(), ...(prefix ? [fc.constant(known[prefix]!)] : []));
    else if (schema?.pattern) good.push(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String));
    else if (name === 'township') good.push(fc.constantFrom('410821100', '410821101'));
    else if (name === 'year') good.push(fc.constantFrom('2027', '2028'));
    else good.push(fc.string({ minLength: 1, maxLength: 10 }));
    return fc.oneof({ arbitrary: fc.oneof(...good), weight: 3 }, { arbitrary: fc.constantFrom(...HOSTILE_PATH_IDS), weight: 1 });
  }

  /** The route's path with plausible parameters (a real id where one is known), so a hostile body reaches the body checks. */
  function validPath(route: Route): string {
    const prefix = Object.keys(known).find((k) => route.path.includes(k));
    const plausible: Record<string, string> = { id: prefix ? known[prefix]! : '00000000-0000-4000-8000-000000000000', key: '2251799813685249', incidentKey: '2251799813685249', township: '410821100', year: '2027' };
    return route.path.replace(/\{(\w+)\}/g, (_, name: string) => plausible[name] ?? 'x');
  }

  function callsFor(route: Route): fc.Arbitrary<Call> {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const path = fc.tuple(...names.map((n) => pathParam(route, n))).map((values) => names.reduce((p, n, i) => p.replace(`{${n}}`, encodeURIComponent(values[i]!)), route.path));
    const queryParams = (route.operation.parameters ?? []).filter((p) => p.in === 'query');
    const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof({ arbitrary: valueFor(p.schema), weight: 3 }, { arbitrary: hostile, weight: 1 })])), { requiredKeys: [] });
    const content = route.operation.requestBody?.content ?? {};
    let body: fc.Arbitrary<Call['body']>;
    if (content['text/csv']) {
      // A CSV route: its example file with cells replaced by hostile strings, as JSON { csv } or as text/csv.
      const example = String(content['text/csv'].example ?? '');
      const csv = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE_STRINGS)), { maxLength: 3 })).map(([edits]) => {
        const lines = example.split('\n').map((l) => l.split(','));
        for (const [pick, value] of edits) {
          const row = lines[1 + (pick % Math.max(1, lines.length - 1))] ?? lines[0]!;
          row[pick % row.length] = value.replace(/[,\n]/g, ' ');
        }
        return lines.map((l) => l.join(',')).join('\n');
      });
      body = fc.oneof(csv.map((text) => ({ kind: 'json' as const, value: { csv: text } })), csv.map((text) => ({ kind: 'raw' as const, type: 'text/csv', text })));
    } else if (content['application/json']) {
      body = mutated(valueFor(content['application/json'].schema)).map((value) => ({ kind: 'json' as const, value }));
    } else {
      body = fc.constant({ kind: 'none' as const });
    }
    const withRaw = fc.oneof({ arbitrary: body, weight: 9 }, { arbitrary: fc.constantFrom(...HOSTILE_BODIES).map((text) => ({ kind: 'raw' as const, type: 'application/json', text })), weight: 1 });
    const idempotencyKey = fc.option(fc.oneof(fc.uuid(), fc.constantFrom('has space', 'k'.repeat(300))), { freq: 4 });
    return fc.record({ path, query: mutated(query) as fc.Arbitrary<Record<string, unknown>>, body: withRaw, idempotencyKey }).map(({ idempotencyKey: key, ...call }) => (key === null ? call : { ...call, idempotencyKey: key }));
  }

  async function send(route: Route, call: Call, token: string): Promise<request.Response> {
    const query = new URLSearchParams();
    const entries = call.query && typeof call.query === 'object' ? Object.entries(call.query) : [];
    for (const [k, v] of entries) for (const item of Array.isArray(v) ? v : [v]) query.append(k, typeof item === 'string' ? item : JSON.stringify(item));
    const url = `${call.path}${query.size ? `?${query}` : ''}`;
    const r = request(base)[route.method](url).set('Authorization', `Bearer ${token}`);
    if (call.idempotencyKey) r.set('Idempotency-Key', call.idempotencyKey);
    if (call.body.kind === 'json') return r.set('Content-Type', 'application/json').send(JSON.stringify(call.body.value) ?? 'null');
    if (call.body.kind === 'raw') return r.set('Content-Type', call.body.type).send(call.body.text);
    return r.send();
  }

  /** One request: no 5xx; a refusal writes nothing. Throws what went wrong (fast-check reports it with the seed). */
  async function check(route: Route, call: Call, token: string, statuses: Record<number, number>): Promise<void> {
    // After a refusal nothing runs in the background: its snapshot is this request's "before". After an accepted
    // request `settled` waited for the background work; if it gave up, it is waited out here, or it would be blamed.
    const before = stale ? await settled() : last;
    const response = await send(route, call, token);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status === 400 && process.env.FUZZ_DEBUG) process.stdout.write(`${call.path} 400 ${JSON.stringify(response.body.errors ?? response.body.detail).slice(0, 300)}\n`);
    if (response.status >= 500) throw new Error(`${route.method.toUpperCase()} ${call.path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
    if (response.status >= 400) {
      const after = await dbSnapshot(db);
      const changes = snapshotChanges(before, after);
      last = after;
      if (changes.length) throw new Error(`${route.method.toUpperCase()} ${call.path} answered ${response.status} but changed ${changes.join('; ')}`);
    } else {
      last = await settled();
    }
  }

  it('answers every reading route below 500 for hostile path ids and query strings', async () => {
    const token = await s.testApp.token([...ALL_ROLES], '410821', 'fuzz');
    const queries = ['', '?region=abc', '?region=410821&region=410822', '?status=%00', '?from=2026-02-30&to=2026-13-01', '?date=0000-01-01', '?limit=1e400', '?processInstanceKey=9223372036854775808', '?subjectId=%00&regionCode=abc'];
    const failures: string[] = [];
    for (const path of Object.keys(doc.paths).filter((p) => doc.paths[p]!.get)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const paths = names.length ? HOSTILE_PATH_IDS.map((id) => path.replace(/\{(\w+)\}/g, encodeURIComponent(id))) : [path];
      for (const url of paths) for (const query of queries) {
        const response = await request(base).get(`${url}${query}`).set('Authorization', `Bearer ${token}`);
        if (response.status >= 500) failures.push(`GET ${url}${query} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('answers every generated request below 500, and writes nothing when it refuses', async () => {
    const routes: Route[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
      (['post', 'put'] as const).filter((m) => ops[m]).map((method) => ({ method, path: path.replace(/^\/api\/v1/, '/api/v1'), operation: ops[method]! })),
    );
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    const summary: string[] = [];
    for (const [i, route] of routes.entries()) {
      // A calendar notice is loaded by a province's administrator; every other route by a county's staff of every role.
      const region = route.path.startsWith('/api/v1/calendar/years') ? '410000' : '410821';
      const token = await s.testApp.token([...ALL_ROLES], region, 'fuzz');
      const statuses: Record<number, number> = {};
      const started = Date.now();
      for (const text of HOSTILE_BODIES) {
        try {
          await check(route, { path: validPath(route), query: {}, body: { kind: 'raw', type: 'application/json', text } }, token, statuses);
        } catch (error) {
          failures.push(`${route.method} ${route.path} hostile body ${text.slice(0, 40)}: ${(error as Error).message}`);
        }
      }
      const details = await fc.check(fc.asyncProperty(callsFor(route), (call) => check(route, call, token, statuses)), { numRuns: RUNS, seed: SEED + i, endOnFailure: true });
      if (details.failed) failures.push(`${route.method} ${route.path} (FUZZ_SEED=${SEED}, seed ${details.seed}): ${(details.errorInstance as Error | undefined)?.message}\n  request: ${JSON.stringify(details.counterexample?.[0])?.slice(0, 1500)}`);
      summary.push(`${route.method.toUpperCase()} ${route.path} ${JSON.stringify(statuses)} ${Date.now() - started} ms`);
    }
    // What each route answered: a route that only ever answers 401/403/404 is not being fuzzed.
    process.stdout.write(`fuzz (seed ${SEED}, ${RUNS} runs per route):\n${summary.join('\n')}\n`);
    expect(failures).toEqual([]);
  }, 600_000);
});
