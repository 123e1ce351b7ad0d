import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { CSV_BODY_EXTENSION, csvRequestBody } from '../common/csv-intake';
import { IDEMPOTENT_EXTENSION } from '../common/idempotency/idempotency.interceptor';
import { OPERATIONS } from './operations';

/**
 * The OpenAPI document, as an integrator reads it at /api/docs (issue 21). Nest builds it from the controllers and
 * DTOs; this file adds, once for every operation, what they share — so there is one way to declare each thing:
 * - the problem+json error answers (`ProblemDetail`, exactly what src/common/problem.ts sends);
 * - the one optional `Idempotency-Key` header parameter, on every operation marked `@Idempotent()`;
 * - `Location` on every 201 (set by `@Created`, src/common/created.ts);
 * - summaries and examples from src/openapi/operations.ts.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
// The spec types, reached through OpenAPIObject (the package does not export their module).
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ParameterObject = Extract<NonNullable<OperationObject['parameters']>[number], { in: string }>;
type ReferenceObject = { $ref: string };
type ResponseObject = Extract<OperationObject['responses'][string], { description: string }>;
type Components = NonNullable<OpenAPIObject['components']>;
const PROBLEM_JSON = 'application/problem+json';

const IDEMPOTENCY_PARAMETER: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    '幂等键：同一调用方重复同一请求时返回首次的应答（`Idempotent-Replayed: true`），同一键用于不同请求为 422 / ' +
    'Repeat a creating call safely: a repeat by the same caller answers the first answer again; the same key with another body is a 422',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$', example: '7f3c2a9e-intake-0001' },
};

const FIELD_PROBLEM = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: { type: 'string', description: 'The field, dotted and indexed (members[0].idNumber; csv[row 3].died_on for a CSV cell)', example: 'members[0].idNumber' },
    message: { type: 'string', example: 'members[0].idNumber has a wrong check character' },
  },
};

/** RFC 9457, as src/common/problem.ts's ProblemDetails: `errors` on a 400, `code` on a domain outcome. */
const PROBLEM_DETAIL = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://doudi.example/problems/invalid-request' },
    title: { type: 'string', example: 'The request is invalid' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'members[0].idNumber: members[0].idNumber has a wrong check character' },
    instance: { type: 'string', description: 'The path of the request', example: '/api/v1/dibao/applications' },
    code: { type: 'string', description: 'Stable code of a domain outcome', example: 'duplicate-application' },
    errors: { type: 'array', description: 'Every bad field of a 400, all at once', items: { $ref: '#/components/schemas/FieldProblem' } },
    requestId: { type: 'string', description: 'The X-Request-Id of the call, as logged', example: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
};

/** The error answers every operation may give, with when. */
const PROBLEMS: Record<string, { name: string; description: string; applies: (op: OperationContext) => boolean; example: Record<string, unknown> }> = {
  '400': {
    name: 'BadRequest',
    description: '请求无效，errors[] 列出每个字段 / Invalid request: errors[] names every bad field',
    applies: () => true,
    example: { type: 'https://doudi.example/problems/invalid-request', title: 'The request is invalid', status: 400, detail: 'regionCode: regionCode must be a 12-digit village code', errors: [{ field: 'regionCode', message: 'regionCode must be a 12-digit village code' }], instance: '/api/v1/dibao/applications', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
  '401': {
    name: 'Unauthorized',
    description: '缺少或无效的令牌 / No valid bearer token',
    applies: (op) => op.secured,
    example: { type: 'https://doudi.example/problems/http-401', title: 'unauthorized', status: 401, detail: 'a bearer token is required', instance: '/api/v1/dibao/cases', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
  '403': {
    name: 'Forbidden',
    description: '角色或区域不允许 / The token\'s roles or region do not allow it',
    applies: (op) => op.secured,
    example: { type: 'https://doudi.example/problems/region-out-of-scope', title: "region 410822 is outside the caller's region", status: 403, code: 'region-out-of-scope', instance: '/api/v1/dibao/cases?region=410822', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
  '404': {
    name: 'NotFound',
    description: '不存在或不在调用方区域内 / Not found, or outside the caller\'s region',
    applies: (op) => op.hasPathParameters,
    example: { type: 'https://doudi.example/problems/case-not-found', title: 'no dibao case 0b6f7c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b', status: 404, code: 'case-not-found', instance: '/api/v1/dibao/cases/0b6f7c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
  '409': {
    name: 'Conflict',
    description: '与当前状态冲突 / Conflicts with the current state (e.g. an open application of the same person)',
    applies: (op) => op.method !== 'get',
    example: { type: 'https://doudi.example/problems/duplicate-application', title: 'a member of this household is already in open or enrolled dibao case 410821-2026-000001; one open application per person', status: 409, code: 'duplicate-application', detail: '{"otherCase":"410821-2026-000001"}', instance: '/api/v1/dibao/applications', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
  '422': {
    name: 'UnprocessableEntity',
    description: '业务规则拒绝（如幂等键用于不同请求）/ Refused by a rule (e.g. an Idempotency-Key reused for another request)',
    applies: (op) => op.method !== 'get',
    example: { type: 'https://doudi.example/problems/idempotency-key-reused', title: 'this Idempotency-Key was used for a different request', status: 422, code: 'idempotency-key-reused', instance: '/api/v1/dibao/applications', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
  '503': {
    name: 'ServiceUnavailable',
    description: '数据库暂不可用，未做任何更改（见 Retry-After）/ The database is unavailable: nothing was changed, retry after Retry-After seconds',
    applies: () => true,
    example: { type: 'https://doudi.example/problems/database-unavailable', title: 'The database is unavailable', status: 503, code: 'database-unavailable', detail: 'nothing was changed; try again in 5 seconds', instance: '/api/v1/dibao/cases', requestId: 'a2d4c6e8-1b3d-4f5a-9c7e-0a1b2c3d4e5f' },
  },
};

interface OperationContext {
  method: string;
  secured: boolean;
  hasPathParameters: boolean;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Doudi API')
      .setDescription(
        '兜底：低保、临时救助、抽查、发放等社会救助程序（Camunda 8）/ Social-assistance procedures (dibao, sampling, temporary aid, payments) on Camunda 8. ' +
          'Money is integer fen; dates are of the Asia/Shanghai calendar. Errors are application/problem+json (RFC 9457): a 400 lists every bad field in errors[].',
      )
      .setVersion('1')
      .setLicense('UNLICENSED (proprietary)', 'https://doudi.example/license')
      .addServer('/', 'This service')
      .addBearerAuth()
      .build(),
  );
  return finishDocument(document);
}

/** Adds the shared parts and the catalogue to a document Nest built; throws when the catalogue names no route. */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, FieldProblem: FIELD_PROBLEM, ProblemDetail: PROBLEM_DETAIL } as Components['schemas'];
  document.components.parameters = { ...document.components.parameters, IdempotencyKey: IDEMPOTENCY_PARAMETER };
  document.components.headers = {
    ...document.components.headers,
    Location: { description: '新建资源的地址 / The URL of the created resource', schema: { type: 'string', format: 'uri-reference', example: '/api/v1/dibao/cases/0b6f7c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b' } },
  };
  document.components.responses = {
    ...document.components.responses,
    ...Object.fromEntries(
      Object.values(PROBLEMS).map((p) => [p.name, { description: p.description, content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/ProblemDetail' }, example: p.example } } } satisfies ResponseObject]),
    ),
  };

  typeNullableUnions(document);
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!operation) continue;
      const name = `${method.toUpperCase()} ${path}`;
      seen.add(name);
      const parameters = (operation.parameters ?? []) as (ParameterObject | ReferenceObject)[];
      if (operation[IDEMPOTENT_EXTENSION]) {
        delete operation[IDEMPOTENT_EXTENSION];
        parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
      }
      operation.parameters = parameters;
      if (operation[CSV_BODY_EXTENSION]) {
        delete operation[CSV_BODY_EXTENSION];
        const example = OPERATIONS[name]?.body;
        if (typeof example !== 'string') throw new Error(`${name} reads CSV: src/openapi/operations.ts must give its example file as text`);
        operation.requestBody = csvRequestBody(example);
      }
      const secured = (operation.security ?? document.security ?? []).length > 0;
      // A route without a bearer requirement is public (health, the workbench's sign-in help): said, not left out.
      if (!secured) operation.security = [];
      const context: OperationContext = { method, secured, hasPathParameters: path.includes('{') };
      for (const [status, problem] of Object.entries(PROBLEMS)) {
        if (problem.applies(context) && !operation.responses[status]) operation.responses[status] = { $ref: `#/components/responses/${problem.name}` };
      }
      for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject | ReferenceObject][]) {
        if ('$ref' in response) continue;
        // Problems Nest declared without a body (413, 415 of the CSV routes) are problem+json like every other.
        if (Number(status) >= 400 && !response.content) response.content = { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/ProblemDetail' } } };
        if (status === '201') response.headers = { ...response.headers, Location: { $ref: '#/components/headers/Location' } };
      }
      applyCatalogue(name, operation);
    }
  }
  const unknown = Object.keys(OPERATIONS).filter((name) => !seen.has(name));
  if (unknown.length) throw new Error(`src/openapi/operations.ts describes operations the API does not have: ${unknown.join(', ')}`);
  return document;
}

/**
 * Nest drops `type` beside `oneOf`, and OpenAPI 3.0 ignores `nullable` without it: a nullable union of object
 * schemas (a task's context) gets its `type: object` back, so null is allowed as the DTO says.
 */
function typeNullableUnions(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, { type?: string; properties?: Record<string, Record<string, unknown>> }>;
  const isObjectRef = (s: unknown) => typeof (s as ReferenceObject)?.$ref === 'string' && schemas[(s as ReferenceObject).$ref.split('/').pop()!]?.type === 'object';
  for (const schema of Object.values(schemas)) {
    for (const property of Object.values(schema.properties ?? {})) {
      const union = property.oneOf as unknown[] | undefined;
      if (property.nullable && !property.type && union?.every(isObjectRef)) property.type = 'object';
    }
  }
}

function applyCatalogue(name: string, operation: OperationObject): void {
  const doc = OPERATIONS[name];
  if (!doc) return; // test/openapi-examples.e2e-spec.ts fails naming it
  operation.summary = doc.summary;
  for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
    const value = parameter.in === 'query' ? doc.query?.[parameter.name] : undefined;
    // The catalogue gives query values as they are sent (text); the example is typed as the parameter's schema says.
    const type = (parameter.schema as { type?: string } | undefined)?.type;
    if (value !== undefined) parameter.example = type === 'integer' || type === 'number' ? Number(value) : value;
  }
  const json = operation.requestBody && !('$ref' in operation.requestBody) ? operation.requestBody.content['application/json'] : undefined;
  // CSV bodies got theirs from csvRequestBody; one example per JSON body, from here (no second source in decorators).
  if (typeof doc.body !== 'string' && doc.body !== undefined && json) {
    delete json.examples;
    json.example = doc.body;
  }
}
