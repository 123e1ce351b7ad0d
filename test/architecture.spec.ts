import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * One owner per table, and modules that depend one way. A table is written and read by the code of one folder
 * (its repository); other modules call that folder. Migrations create every table and are not checked.
 */
const OWNER: Record<string, string> = {
  audit_event: 'src/audit',
  deadline: 'src/deadlines',
  deadline_timer_move: 'src/deadlines',
  death_record: 'src/payments',
  dibao_assessment: 'src/dibao',
  dibao_case: 'src/dibao',
  dibao_decision: 'src/dibao',
  dibao_enrolment: 'src/dibao',
  dibao_benefit_period: 'src/dibao',
  dibao_event: 'src/dibao',
  dibao_member: 'src/dibao',
  dibao_notice: 'src/dibao',
  dibao_objection: 'src/dibao',
  dibao_relatives_match: 'src/dibao',
  engine_outbox: 'src/outbox',
  holiday_notice: 'src/calendar',
  idempotency_key: 'src/common/idempotency',
  payment_cycle: 'src/payments',
  payroll_line: 'src/payments',
  payroll_line_follow_up: 'src/payments',
  registry_relative: 'src/sampling',
  administrative_division: 'src/regions',
  reserve_fund: 'src/temporary-aid',
  reserve_fund_entry: 'src/temporary-aid',
  reserve_fund_alert: 'src/temporary-aid',
  sampling_batch: 'src/sampling',
  sampling_pool_entry: 'src/sampling',
  sampling_review: 'src/sampling',
  task_completion: 'src/tasks',
  task_index: 'src/tasks',
  temporary_aid_event: 'src/temporary-aid',
  temporary_aid_payment: 'src/temporary-aid',
  temporary_aid_request: 'src/temporary-aid',
};
/** The embedded engine's own tables (`engine_*` but the outbox) belong to it alone. */
const ENGINE_OWNER = 'src/engine';

/**
 * The only SQL allowed outside a table's owner, each a read with its reason.
 */
const EXCEPTIONS: { file: string; table: string; why: string }[] = [
  // Set-based payroll generation: one INSERT … SELECT over the county's enrolments, cases and members (5,000
  // households in one statement, see bench/payroll.ts); going through the dibao repository row by row would not do.
  { file: 'src/payments/payroll.service.ts', table: 'dibao_enrolment', why: 'payroll generation reads enrolments set-based' },
  { file: 'src/payments/payroll.service.ts', table: 'dibao_case', why: 'payroll generation reads cases set-based' },
  { file: 'src/payments/payroll.service.ts', table: 'dibao_member', why: 'payroll generation reads members set-based' },
  { file: 'src/payments/payroll.service.ts', table: 'dibao_benefit_period', why: 'payroll generation reads the amount in force for a month set-based' },
];

/** `a` may not import from `b` (the dependency runs b → a, or not at all). */
const FORBIDDEN_IMPORTS: { from: string; to: string; why: string }[] = [
  { from: 'src/sampling', to: 'src/dibao', why: 'dibao enters decisions in the sampling pool and reads reviews; sampling knows no case' },
  { from: 'src/deadlines', to: 'src/dibao', why: 'deadlines serve every procedure' },
  { from: 'src/deadlines', to: 'src/payments', why: 'deadlines serve every procedure' },
  { from: 'src/deadlines', to: 'src/temporary-aid', why: 'deadlines serve every procedure' },
  { from: 'src/audit', to: 'src/dibao', why: 'the audit trail serves every module' },
  { from: 'src/engine', to: 'src/dibao', why: 'the embedded engine knows no procedure of ours' },
  { from: 'src/dibao', to: 'src/payments', why: 'payments read enrolments from dibao, not the other way' },
];

const ROOT = resolve(__dirname, '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Comments may name tables; only code counts. */
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
const FILES = sourceFiles('src').map((file) => ({ file, text: withoutComments(readFileSync(join(ROOT, file), 'utf8')) }));
const within = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/** The tables a file's SQL names after FROM, INTO, UPDATE, JOIN, TABLE or TRUNCATE, or as a quoted table name. */
function tablesNamed(text: string, tables: string[]): Set<string> {
  const names = tables.join('|');
  const sql = new RegExp(`\\b(?:FROM|INTO|UPDATE|JOIN|TABLE|TRUNCATE)\\s+(?:ONLY\\s+)?(${names})\\b`, 'g');
  const quoted = new RegExp(`['"\`](${names})['"\`]`, 'g');
  return new Set([...text.matchAll(sql), ...text.matchAll(quoted)].map((m) => m[1]!));
}

function engineTables(): string[] {
  const migrations = readdirSync(join(ROOT, 'migrations')).map((f) => readFileSync(join(ROOT, 'migrations', f), 'utf8'));
  const created = migrations.flatMap((m) => [...m.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/g)].map((x) => x[1]!));
  return [...new Set(created)];
}

describe('architecture', () => {
  const allTables = engineTables();

  it('every table of the migrations has an owner', () => {
    const unowned = allTables.filter((t) => !OWNER[t] && !t.startsWith('engine_'));
    expect(unowned).toEqual([]);
  });

  it('SQL naming a table appears only in its owning folder (or a named exception)', () => {
    const violations: string[] = [];
    for (const { file, text } of FILES) {
      for (const table of tablesNamed(text, allTables)) {
        const owner = OWNER[table] ?? ENGINE_OWNER;
        if (within(file, owner)) continue;
        if (EXCEPTIONS.some((e) => e.file === file && e.table === table)) continue;
        violations.push(`${file} names ${table} (owner ${owner})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('every exception is still needed', () => {
    const stale = EXCEPTIONS.filter((e) => !tablesNamed(FILES.find((f) => f.file === e.file)?.text ?? '', [e.table]).has(e.table));
    expect(stale).toEqual([]);
  });

  it('modules import one way', () => {
    const violations: string[] = [];
    for (const { file, text } of FILES) {
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec!));
        for (const rule of FORBIDDEN_IMPORTS) {
          if (within(file, rule.from) && within(target, rule.to)) violations.push(`${file} imports ${spec} (${rule.why})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('the scan finds SQL (it can fail)', () => {
    expect([...tablesNamed('SELECT * FROM dibao_case c JOIN dibao_member m ON true', allTables)].sort()).toEqual(['dibao_case', 'dibao_member']);
    expect([...tablesNamed(`{ table: 'payment_cycle' }`, allTables)]).toEqual(['payment_cycle']);
    expect([...tablesNamed(`import { x } from './dibao_case'; // a dibao_case row`, allTables)]).toEqual([]);
  });
});
