import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import deadlines from '../web/src/i18n/deadlines';

/** Every .ts file under a directory, specs left out. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The deadline types the service opens (src/**: `type: '…'` of a deadline, `openDeadline(…, '…')`, a `…_DEADLINE`
 * constant; bpmn/: a `deadlineType` input), each named in Chinese and English by the deadline catalogue (web/src/i18n/deadlines.ts): a type added
 * later without its name fails here, not on a supervisor's screen.
 */
describe('the workbench names every deadline type', () => {
  const types = new Set<string>();
  const literal = /'((?:dibao|temporary-aid|payment|sampling)\.[a-z-]+)'/g;
  for (const file of sources('src')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!/type: '|openDeadline\(|DEADLINES?\b|deadline: '/.test(line)) continue;
      for (const m of line.matchAll(literal)) types.add(m[1]!);
    }
  }
  for (const file of readdirSync('bpmn').filter((f) => f.endsWith('.bpmn'))) {
    for (const m of readFileSync(join('bpmn', file), 'utf8').matchAll(/source="=&quot;([a-z-]+\.[a-z-]+)&quot;" target="deadlineType"/g)) types.add(m[1]!);
  }

  it('finds the types (the scan still works)', () => {
    expect([...types]).toEqual(expect.arrayContaining(['dibao.acceptance', 'dibao.procedure', 'temporary-aid.reply', 'payment.data', 'payment.line-follow-up', 'sampling.review']));
  });

  it.each([...types].sort())('%s has a name in zh and en', (type) => {
    const key = `deadline.type.${type}`;
    expect((deadlines.zh as Record<string, string>)[key]).toBeTruthy();
    expect((deadlines.en as Record<string, string>)[key]).toBeTruthy();
  });
});
