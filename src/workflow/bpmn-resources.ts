import { BpmnModdle } from 'bpmn-moddle';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';

export interface Resource {
  /** Path relative to the resource folder, e.g. `forms/accept.form`. */
  name: string;
  content: string;
}

/** Every .bpmn and .form file under `dir`, recursively, in a stable order. */
export function readResources(dir: string): Resource[] {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(bpmn|form)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return files.map((file) => ({ name: relative(dir, file), content: readFileSync(file, 'utf8') }));
}

interface ModdleElement {
  $type: string;
  id?: string;
  type?: string;
  extensionElements?: { values?: ModdleElement[] };
  [key: string]: unknown;
}

/** Parses a model with the zeebe:* extensions; the root is the bpmn:Definitions element. */
export async function parseBpmn(xml: string): Promise<unknown> {
  const { rootElement } = await new BpmnModdle({ zeebe }).fromXML(xml);
  return rootElement;
}

/** The job types (`zeebe:taskDefinition type`) a BPMN model needs workers for. */
export async function jobTypesOf(xml: string): Promise<string[]> {
  const rootElement = await parseBpmn(xml);
  const types = new Set<string>();
  const visit = (node: unknown, seen: Set<unknown>): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) return node.forEach((child) => visit(child, seen));
    const element = node as ModdleElement;
    for (const extension of element.extensionElements?.values ?? []) {
      if (extension.$type === 'zeebe:TaskDefinition' && typeof extension.type === 'string') types.add(extension.type);
      // A user-task listener's jobs need a worker like a service task's.
      if (extension.$type === 'zeebe:TaskListeners') {
        for (const listener of (extension.listeners ?? []) as ModdleElement[]) if (typeof listener.type === 'string') types.add(listener.type);
      }
    }
    for (const [key, value] of Object.entries(element)) {
      if (!key.startsWith('$') && key !== 'extensionElements') visit(value, seen);
    }
  };
  visit(rootElement, new Set());
  return [...types].sort();
}
