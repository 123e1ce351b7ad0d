import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import request from 'supertest';
import ts from 'typescript';
import { startTestApp } from './support/test-app';

/**
 * Issue 21: the document an integrator reads at /api/docs/openapi.json passes a maintained linter (Redocly CLI,
 * `recommended` rules, redocly.yaml: no rule turned off; warnings fail too), and a client typed from it compiles. Each
 * check is also shown to fail on a document or a client that is wrong, so neither passes vacuously.
 */

type Document = { paths: Record<string, Record<string, Record<string, unknown>>> };
interface LintProblem { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }

const ROOT = resolve(__dirname, '..');
// Under the repository (git-ignored), so the generated client resolves openapi-fetch from node_modules.
const WORK = join(ROOT, '.data', `openapi-${process.pid}`);

/** Every problem Redocly CLI finds in a document, with the repository's redocly.yaml. */
function lint(document: unknown, name: string): LintProblem[] {
  const file = join(WORK, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  if (!json) throw new Error(`redocly lint printed no report (exit ${run.status}): ${run.stderr}`);
  return (JSON.parse(json) as { problems: LintProblem[] }).problems;
}

/** The TypeScript compiler's diagnostics for a client file, strict, nothing emitted. */
function compile(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName.split('/').pop()}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** A small integrator client: submits the application and reads the case it created, typed by the generated paths. */
const client = (caseField: string, idNumber: string) => `import createClient from 'openapi-fetch';
import type { paths } from './doudi-api';

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000', headers: { Authorization: 'Bearer token' } });

export async function applyAndRead(): Promise<string> {
  const created = await api.POST('/api/v1/dibao/applications', {
    params: { header: { 'Idempotency-Key': 'intake-0001' } },
    body: {
      regionCode: '410821100201',
      channel: 'self',
      requestType: 'household',
      area: 'rural',
      members: [{ id: 'm1', name: '张三', idNumber: ${idNumber}, age: 36, relation: 'applicant', seriousIllness: false, inSchool: false, employed: false }],
      incomes: [],
      expenditures: [],
      assets: { financialFen: 0 },
    },
  });
  if (!created.data) throw new Error(created.error?.title ?? 'refused');
  const caseId: string = created.data.${caseField};
  const read = await api.GET('/api/v1/dibao/cases/{id}', { params: { path: { id: caseId } } });
  if (!read.data) throw new Error(read.error?.title ?? 'not found');
  const status: 'applied' | 'awaiting-materials' | 'accepted' | 'in-notice' | 'enrolled' | 'refused' | 'closed' | 'terminated' = read.data.status;
  return \`\${read.data.caseNumber} \${status} \${read.data.members.length}\`;
}
`;

describe('the OpenAPI document', () => {
  let document: Document;

  beforeAll(async () => {
    mkdirSync(WORK, { recursive: true });
    const testApp = await startTestApp();
    try {
      document = (await request(testApp.app.getHttpServer()).get('/api/docs/openapi.json').expect(200)).body;
    } finally {
      await testApp.close();
    }
  }, 120_000);

  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  it('passes Redocly\'s recommended rules, warnings included', () => {
    expect(lint(document, 'doudi').map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`)).toEqual([]);
  }, 60_000);

  it('the lint fails a document that lacks a summary, a success answer or a valid example', () => {
    const bad = structuredClone(document);
    const apply = bad.paths['/api/v1/dibao/applications']!.post!;
    delete apply.summary;
    delete (apply.responses as Record<string, unknown>)['201'];
    ((apply.requestBody as { content: Record<string, { example: { members: unknown } }> }).content['application/json']!.example).members = 'not a list';
    expect(lint(bad, 'bad').map((p) => p.ruleId)).toEqual(expect.arrayContaining(['operation-summary', 'operation-2xx-response', 'no-invalid-media-type-examples']));
  }, 60_000);

  describe('a typed client generated from it (openapi-typescript, openapi-fetch)', () => {
    beforeAll(() => {
      // Its CLI in a process of its own: the package and its dependencies are ES modules, which Jest's CommonJS runtime does not load.
      const source = join(WORK, 'doudi-api.json');
      writeFileSync(source, JSON.stringify(document));
      const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), source, '--output', join(WORK, 'doudi-api.ts')], { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`openapi-typescript failed: ${run.stderr}`);
    }, 60_000);

    it('compiles, strict', () => {
      writeFileSync(join(WORK, 'client.ts'), client('caseId', "'410821199003071238'"));
      expect(compile(join(WORK, 'client.ts'))).toEqual([]);
    }, 60_000);

    it('does not compile when it reads a field the answer lacks, or sends a number for a string', () => {
      writeFileSync(join(WORK, 'wrong-field.ts'), client('id', "'410821199003071238'"));
      expect(compile(join(WORK, 'wrong-field.ts')).join('\n')).toMatch(/Property 'id' does not exist/);
      writeFileSync(join(WORK, 'wrong-type.ts'), client('caseId', '410821199003071238'));
      expect(compile(join(WORK, 'wrong-type.ts')).join('\n')).toMatch(/'number' is not assignable to type 'string'/);
    }, 60_000);
  });
});
