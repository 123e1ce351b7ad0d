import { FormLinter } from '@camunda/form-linting';
import { readFileSync } from 'node:fs';
import { isRole } from '../src/auth/roles';
import { evaluate } from '../src/engine/feel';
import { GROUP_LEVEL, parseGroup } from '../src/tasks/candidate-groups';
import { parseBpmn, readResources } from '../src/workflow/bpmn-resources';

// bpmnlint is CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('bpmnlint') as { Linter: new (options: unknown) => { lint(root: unknown): Promise<Record<string, { message: string; id?: string }[]>> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new () => unknown;

const lintConfig = JSON.parse(readFileSync('.bpmnlintrc', 'utf8')) as { extends: string[] };
const resources = readResources('bpmn');
const models = resources.filter((r) => r.name.endsWith('.bpmn'));
const forms = resources.filter((r) => r.name.endsWith('.form'));

type Extension = { $type: string; candidateGroups?: string; formId?: string; formKey?: string; externalReference?: string; dueDate?: string; listeners?: { eventType?: string; type?: string }[] };
type Element = { $type: string; id: string; name?: string; flowElements?: Element[]; di?: unknown; extensionElements?: { values?: Extension[] } };

async function parse(xml: string) {
  return (await parseBpmn(xml)) as { rootElements: Element[]; diagrams?: { plane: { planeElement: { bpmnElement: { id: string } }[] } }[] };
}

async function bpmnProblems(xml: string): Promise<string[]> {
  // One linter per file: a rule may keep state across files.
  const reports = await new Linter({ config: { extends: lintConfig.extends }, resolver: new NodeResolver() }).lint(await parse(xml));
  return Object.entries(reports).flatMap(([rule, list]) => list.map((r) => `${rule}: ${r.id ?? ''} ${r.message}`));
}

function formProblems(json: string): string[] {
  return new FormLinter().lint(json).map((r: { id?: string; message: string }) => `${r.id ?? ''} ${r.message}`);
}

/** Named in Chinese and in English: 村级评议 Village review. */
const BILINGUAL = /[\u4e00-\u9fff].*[A-Za-z]/;

function flowElements(container: Element): Element[] {
  return (container.flowElements ?? []).flatMap((e) => [e, ...flowElements(e)]);
}

describe('models under bpmn/', () => {
  it('exist', () => {
    expect(models.map((m) => m.name)).toContain('health-check.bpmn');
  });

  describe.each(models.map((m) => [m.name, m.content]))('%s', (_, xml) => {
    it('lints clean against Camunda 8.8', async () => {
      expect(await bpmnProblems(xml)).toEqual([]);
    });

    it('names the process and every element (but sequence flows) in Chinese and English', async () => {
      const processes = (await parse(xml)).rootElements.filter((e) => e.$type === 'bpmn:Process');
      const unnamed = processes
        .flatMap((p) => [p, ...flowElements(p)])
        .filter((e) => e.$type !== 'bpmn:SequenceFlow' && !BILINGUAL.test(e.name ?? ''))
        .map((e) => e.id);
      expect(unnamed).toEqual([]);
    });

    it('gives every user task region-qualified candidate groups (role:region at the role’s level), a form, a due date and our task listeners', async () => {
      const tasks = (await parse(xml)).rootElements.filter((e) => e.$type === 'bpmn:Process').flatMap(flowElements).filter((e) => e.$type === 'bpmn:UserTask');
      const problems = tasks.flatMap((task) => {
        const extension = (type: string) => task.extensionElements?.values?.find((v) => v.$type === type);
        const found: string[] = [];
        const groupsSource = extension('zeebe:AssignmentDefinition')?.candidateGroups;
        if (!groupsSource?.trim().startsWith('=')) found.push(`${task.id}: candidate groups not computed from the region (${groupsSource ?? 'none'})`);
        else {
          // A case in a village: each group names a working role and the village, its township or its county.
          const village = '410821100201';
          const groups = evaluate(groupsSource, { regionCode: village });
          if (!Array.isArray(groups) || groups.length === 0) found.push(`${task.id}: candidate groups ${JSON.stringify(groups)} are not a list`);
          for (const group of Array.isArray(groups) ? groups : []) {
            const { role, regionCode } = parseGroup(String(group));
            const level = GROUP_LEVEL[role];
            if (!isRole(role) || !level || regionCode !== village.slice(0, level)) found.push(`${task.id}: candidate group ${JSON.stringify(group)} is not role:region at its role's level`);
          }
        }
        const form = extension('zeebe:FormDefinition');
        if (!form?.formId && !form?.formKey && !form?.externalReference) found.push(`${task.id}: no form`);
        if (!extension('zeebe:TaskSchedule')?.dueDate) found.push(`${task.id}: no due date`);
        // Our task listeners (src/tasks/task-listeners.ts) hold Tasklist and every other client to our rules.
        const listeners = (extension('zeebe:TaskListeners')?.listeners ?? []).map((l) => `${l.eventType}:${l.type}`);
        for (const expected of ['assigning:task.assigning', 'completing:task.completing']) if (!listeners.includes(expected)) found.push(`${task.id}: no ${expected} listener`);
        return found;
      });
      expect(problems).toEqual([]);
    });

    it('carries diagram layout for every element, so it opens in Camunda Modeler', async () => {
      const root = await parse(xml);
      const drawn = new Set((root.diagrams ?? []).flatMap((d) => d.plane.planeElement.map((p) => p.bpmnElement.id)));
      const elements = root.rootElements.filter((e) => e.$type === 'bpmn:Process').flatMap(flowElements);
      expect(elements.filter((e) => !drawn.has(e.id)).map((e) => e.id)).toEqual([]);
    });
  });

  it('every form lints clean against Camunda 8.8', () => {
    expect(forms.flatMap((f) => formProblems(f.content).map((p) => `${f.name}: ${p}`))).toEqual([]);
  });

  it('the lint catches a broken model and a broken form (the checks can fail)', async () => {
    expect(await bpmnProblems(readFileSync('test/fixtures/unmatched-workers/unhandled-job.bpmn', 'utf8'))).not.toEqual([]);
    expect(formProblems(readFileSync('test/fixtures/bad-form/bad.form', 'utf8'))).not.toEqual([]);
  });
});
