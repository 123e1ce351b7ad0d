import type { FieldProblem } from '../common/problem';
import { evaluate } from '../engine/feel';

/**
 * What a user task's form (a Camunda form-js schema) lets a caseworker submit, checked before the task is
 * completed: only the keys of the form's input fields; required fields present and not blank; each value of its
 * field's type and, for choices, one of its options. Pure functions: the task service hands them the schema the
 * engine links to the task and the process instance's variables.
 */

export interface FormComponent {
  type: string;
  key?: string;
  /** Groups and dynamic lists with a path keep their fields' values under it. */
  path?: string;
  label?: string;
  components?: FormComponent[];
  /** Static options of a select, radio, checklist or taglist. */
  values?: { label?: string; value: unknown }[];
  /** Options read from this process variable instead. */
  valuesKey?: string;
  subtype?: string;
  /** Of a number field: how many decimals it takes (0: whole numbers only, amounts in fen; 2: yuan in whole fen). */
  decimalDigits?: number;
  disabled?: boolean;
  readonly?: boolean | string;
  conditional?: { hide?: string };
  /** `min` / `max` may be FEEL expressions (`=...`, form-js 1.16 / Camunda 8.8), e.g. a bound read from a process variable. */
  validate?: { required?: boolean; minLength?: number; maxLength?: number; min?: number | string; max?: number | string; pattern?: string };
}

export interface FormSchema {
  components?: FormComponent[];
}

/** An input of the form: its component, and the `conditional.hide` expressions of it and the groups around it. */
export interface InputField {
  key: string;
  component: FormComponent;
  hiddenIf: string[];
}

export interface CheckedSubmission {
  /** The values to complete the task with (text trimmed). */
  variables: Record<string, unknown>;
  /** One entry per refused field, named `variables.<key>`; empty when the submission is valid. */
  problems: FieldProblem[];
}

/** Upper bound of any text value, whatever the form says. */
export const MAX_TEXT_LENGTH = 4000;

const TEXT = new Set(['textfield', 'textarea']);
const CHOICE = new Set(['select', 'radio']);
const MULTI_CHOICE = new Set(['checklist', 'taglist']);
/** Keyed components whose value the form computes or uploads: any JSON is accepted. */
const FREE = new Set(['expression', 'filepicker']);
const INPUT = new Set([...TEXT, ...CHOICE, ...MULTI_CHOICE, ...FREE, 'number', 'checkbox', 'datetime']);

/** The input fields of a form, through groups; a group or dynamic list with a `path` is one field (object or list). */
export function inputFields(components: FormComponent[] = [], hiddenIf: string[] = []): InputField[] {
  return components.flatMap((component): InputField[] => {
    const hides = component.conditional?.hide ? [...hiddenIf, component.conditional.hide] : hiddenIf;
    if (component.path) return [{ key: component.path, component, hiddenIf: hides }];
    if (component.components) return inputFields(component.components, hides);
    return INPUT.has(component.type) && component.key ? [{ key: component.key, component, hiddenIf: hides }] : [];
  });
}

/**
 * Checks `submitted` against the form (`null`: the task has no form, so nothing may be submitted). `context` is
 * the process instance's variables: conditions (`conditional.hide`) see them overlaid with the submitted values,
 * and options taken from a variable (`valuesKey`) are read there.
 */
export function checkSubmission(schema: FormSchema | null, submitted: Record<string, unknown>, context: Record<string, unknown> = {}): CheckedSubmission {
  const fields = new Map(inputFields(schema?.components).map((field) => [field.key, field]));
  const problems: FieldProblem[] = [];
  const variables: Record<string, unknown> = {};
  const refuse = (key: string, message: string) => problems.push({ field: `variables.${key}`, message });

  for (const key of Object.keys(submitted)) {
    if (!fields.has(key)) refuse(key, `表单中没有字段“${key}” / unknown field "${key}": the form of this task has no such field`);
  }
  const data = { ...context, ...submitted };
  for (const [key, field] of fields) {
    const { component } = field;
    const sent = Object.prototype.hasOwnProperty.call(submitted, key);
    if (sent && (component.disabled === true || component.readonly === true)) {
      refuse(key, message(field, ['为只读，不能填写', 'is read-only']));
      continue;
    }
    const value = TEXT.has(component.type) && typeof submitted[key] === 'string' ? (submitted[key] as string).trim() : submitted[key];
    if (isEmpty(component, value)) {
      if (component.validate?.required && !isHidden(field, data)) {
        refuse(key, message(field, component.type === 'checkbox' ? ['须勾选', 'must be checked'] : ['为必填项', 'is required']));
      } else if (sent) {
        variables[key] = value;
      }
      continue;
    }
    const problem = valueProblem(component, value, context, data);
    if (problem) refuse(key, message(field, problem));
    else if (component.type === 'dynamiclist' && component.components) variables[key] = checkItems(key, component.components, value as unknown[], context, problems);
    else variables[key] = value;
  }
  return { variables, problems };
}

/** Each item of a dynamic list checked against the list's fields; problems name the item (`variables.list[1].field`). */
function checkItems(key: string, components: FormComponent[], items: unknown[], context: Record<string, unknown>, problems: FieldProblem[]): unknown[] {
  return items.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ field: `variables.${key}[${i}]`, message: `第${i + 1}项须为一组字段 / item ${i} of ${key} must be an object` });
      return item;
    }
    const inner = checkSubmission({ components }, item as Record<string, unknown>, context);
    problems.push(...inner.problems.map((p) => ({ ...p, field: `variables.${key}[${i}].${p.field.slice('variables.'.length)}` })));
    return inner.variables;
  });
}

/** Absent, null, blank text, an empty list, or an unchecked checkbox. */
function isEmpty(component: FormComponent, value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (component.type === 'checkbox' && value === false)
  );
}

/** Hidden by a condition of its own or of a group around it; a condition that fails to evaluate hides nothing. */
function isHidden(field: InputField, data: Record<string, unknown>): boolean {
  return field.hiddenIf.some((expression) => {
    try {
      return evaluate(expression, data) === true;
    } catch {
      return false;
    }
  });
}

/** Why a non-empty value does not fit its component, or undefined. */
function valueProblem(component: FormComponent, value: unknown, context: Record<string, unknown>, data: Record<string, unknown>): Problem | undefined {
  const rules = component.validate ?? {};
  if (TEXT.has(component.type)) {
    if (typeof value !== 'string') return ['须为文字', 'must be text'];
    const max = Math.min(rules.maxLength ?? MAX_TEXT_LENGTH, MAX_TEXT_LENGTH);
    if (value.length > max) return [`不能超过${max}个字`, `must be at most ${max} characters`];
    if (rules.minLength !== undefined && value.length < rules.minLength) return [`不能少于${rules.minLength}个字`, `must be at least ${rules.minLength} characters`];
    if (rules.pattern !== undefined && !matches(rules.pattern, value)) return [`格式不符（${rules.pattern}）`, `must match the pattern ${rules.pattern}`];
    return undefined;
  }
  if (component.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return ['须为数字', 'must be a number'];
    if (component.decimalDigits === 0 && !Number.isInteger(value)) return ['须为整数', 'must be a whole number'];
    if (component.decimalDigits !== undefined && component.decimalDigits > 0 && !hasDecimals(value, component.decimalDigits)) return [`最多${component.decimalDigits}位小数`, `must have at most ${component.decimalDigits} decimal digits`];
    const min = bound(rules.min, data);
    const max = bound(rules.max, data);
    if (min !== undefined && value < min) return [`不能小于${min}`, `must be at least ${min}`];
    if (max !== undefined && value > max) return [`不能大于${max}`, `must be at most ${max}`];
    return undefined;
  }
  if (component.type === 'checkbox') return typeof value === 'boolean' ? undefined : ['须为是或否', 'must be true or false'];
  if (component.type === 'datetime') return dateTimeProblem(component.subtype, value);
  if (CHOICE.has(component.type) || MULTI_CHOICE.has(component.type)) {
    const options = optionsOf(component, context);
    const chosen = MULTI_CHOICE.has(component.type) ? value : [value];
    if (!Array.isArray(chosen)) return ['须为选项列表', 'must be a list of options'];
    if (chosen.some((v) => v === null || typeof v === 'object')) return ['须为所列选项之一', 'must be one of the options'];
    if (options && !chosen.every((v) => options.some((o) => o.value === v))) {
      return [`须为以下之一：${options.map((o) => chineseOf(o.label ?? String(o.value))).join('、')}`, `must be one of: ${options.map((o) => (o.label ? `${String(o.value)} (${o.label})` : String(o.value))).join(', ')}`];
    }
    return undefined;
  }
  if (component.path) {
    const list = component.type === 'dynamiclist';
    if (list ? !Array.isArray(value) : typeof value !== 'object' || Array.isArray(value)) return list ? ['须为列表', 'must be a list'] : ['须为一组字段', 'must be an object'];
  }
  return undefined;
}

/** A number bound, static or a FEEL expression over the submission on the instance's variables; a bound that is no number checks nothing. */
function bound(rule: number | string | undefined, data: Record<string, unknown>): number | undefined {
  if (typeof rule === 'number') return rule;
  if (typeof rule !== 'string' || !rule.startsWith('=')) return undefined;
  try {
    const value = evaluate(rule, data);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** At most `digits` decimals, allowing for binary floating point (150.1 is not exactly 150.1). */
function hasDecimals(value: number, digits: number): boolean {
  const scaled = value * 10 ** digits;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

/** The options of a choice (value, and label when it has one): static, or from the variable named by `valuesKey`; undefined when not known here. */
function optionsOf(component: FormComponent, context: Record<string, unknown>): { value: unknown; label?: string }[] | undefined {
  const options = component.values ?? (component.valuesKey ? context[component.valuesKey] : undefined);
  if (!Array.isArray(options)) return undefined;
  return options.map((option) => (option !== null && typeof option === 'object' && 'value' in option ? (option as { value: unknown; label?: string }) : { value: option }));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?([+-]\d{2}:?\d{2}|Z)?$/;

function dateTimeProblem(subtype: string | undefined, value: unknown): Problem | undefined {
  if (typeof value !== 'string') return ['须为日期或时间', 'must be a date or time text'];
  if (subtype === 'time') return TIME.test(value) ? undefined : ['须为时间（时:分）', 'must be a time (HH:mm)'];
  if (subtype === 'datetime') return Number.isNaN(Date.parse(value)) ? ['须为日期时间（ISO 8601）', 'must be an ISO 8601 date-time'] : undefined;
  return DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value) ? undefined : ['须为日期（年-月-日）', 'must be a date (YYYY-MM-DD)'];
}

/** As form-js checks `validate.pattern`: unanchored; a pattern that is no valid regular expression checks nothing. */
function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return true;
  }
}

function labelOf(field: InputField): string {
  return field.component.label ? `${field.component.label} (${field.key})` : field.key;
}

/** What is wrong with a value: in Chinese, for the caseworker, and in English. */
type Problem = [zh: string, en: string];

/**
 * A field's problem as the caseworker reads it, Chinese first: “核实月收入”不能小于0 / 核实月收入 Verified monthly
 * income (verifiedIncome) must be at least 0. Labels are bilingual (中文 English): the Chinese names the field.
 */
function message(field: InputField, [zh, en]: Problem): string {
  return `“${chineseOf(field.component.label ?? field.key)}”${zh} / ${labelOf(field)} ${en}`;
}

/** The Chinese half of a bilingual label (核实月收入 Verified monthly income → 核实月收入); the label itself otherwise. */
function chineseOf(label: string): string {
  const zh = /^[^A-Za-z]*[\u3400-\u9fff][^A-Za-z]*/.exec(label.trim())?.[0]?.trim();
  return zh || label;
}
