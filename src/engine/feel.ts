import { randomUUID } from 'node:crypto';
import {
  evaluate as feelinEvaluate,
  FeelDate,
  FeelDateTime,
  FeelDuration,
  FeelFunction,
  FeelTime,
  parseDate,
  parseDateTime,
  parseExpression,
} from 'feelin';
import { DateTime, IANAZone } from 'luxon';

/**
 * FEEL as Zeebe (Camunda 8.8, feel-scala 1.19) evaluates it, on top of `feelin`.
 *
 * - A missing variable or context entry is null, never an error; so is a failed operation ("a" + 1).
 *   Only a syntax error, an `assert()` failure or a non-boolean condition raise a FeelError.
 * - Results come back as the JSON Zeebe would store as a variable: dates, times and durations become ISO strings,
 *   ranges and functions become null.
 * - `now()` and `today()` read the clock passed in `options.now`, in `options.zone` (an IANA id, default 'UTC').
 *   Zeebe uses the JVM's zone instead; pass the zone your Camunda cluster runs in to get the same dates.
 * - Camunda extensions feelin lacks (`is defined`, `get or else`, `assert`, `partition`, ...) are supplied here.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface FeelOptions {
  /** The instant `now()` and `today()` return; defaults to the real time. */
  now?: Date;
  /** IANA time zone of `now()` and `today()`; defaults to 'UTC'. */
  zone?: string;
}

export class FeelError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`failed to evaluate expression '${expression}': ${reason}`);
    this.name = 'FeelError';
  }
}

/** Zeebe's rule: a value is an expression when it starts with '='. */
export function isExpression(value: string | undefined): boolean {
  return value !== undefined && value.trimStart().startsWith('=');
}

/** Evaluates a FEEL expression (with or without the leading '='); throws FeelError on parse/eval failure. */
export function evaluate(expression: string, variables: Record<string, unknown>, options: FeelOptions = {}): JsonValue {
  return toJson(run(expression, variables, options));
}

/** Zeebe "expression or static value": '=...' is evaluated, anything else is the literal string. */
export function resolve(value: string, variables: Record<string, unknown>, options: FeelOptions = {}): JsonValue {
  return isExpression(value) ? evaluate(value, variables, options) : value;
}

/** For sequence-flow conditions: anything but a boolean (null included) is an error, as Zeebe raises an incident. */
export function evaluateCondition(
  expression: string,
  variables: Record<string, unknown>,
  options: FeelOptions = {},
): boolean {
  const result = run(expression, variables, options);
  if (typeof result !== 'boolean') {
    throw new FeelError(expression, `expected a BOOLEAN result, but was '${resultType(result)}'`);
  }
  return result;
}

// --- evaluation -------------------------------------------------------------------------------------------------

/** Camunda's grammar: backtick names (`a-b`) and friends. */
const DIALECT = 'camunda';

/** Thrown by built-ins that must fail the evaluation (assert), as opposed to returning null. */
class EvaluationFailure extends Error {}

function run(expression: string, variables: Record<string, unknown>, options: FeelOptions): unknown {
  const source = expression.trim().replace(/^=/, '');
  const functions = { ...CAMUNDA_EXTENSIONS, ...clockFunctions(expression, options) };
  // Variables win over functions on a plain reference, like feelin's own built-ins; calls are shielded below.
  const context: Record<string, unknown> = { ...functions, ...variables };
  try {
    const shielded = shieldCalls(source, context, variables, functions);
    return feelinEvaluate(shielded.source, { ...context, ...shielded.aliases }, DIALECT).value;
  } catch (error) {
    throw new FeelError(expression, describe(error));
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const position = (error as { position?: { from?: number } }).position?.from;
  return position === undefined ? error.message : `${error.message} (at character ${position})`;
}

/**
 * feelin has one namespace for variables and functions, feel-scala two: with a variable `count`, Camunda still
 * runs `count(items)` as the built-in. So calls to a name that is also a variable are renamed to an alias bound
 * to the function.
 */
function shieldCalls(
  source: string,
  context: Record<string, unknown>,
  variables: Record<string, unknown>,
  functions: Record<string, FeelFunction>,
): { source: string; aliases: Record<string, unknown> } {
  // name -> [alias, function], for each variable that is called in the source and names a function
  const shielded = new Map<string, [string, unknown]>();
  for (const name of Object.keys(variables).filter((name) => callsName(source, name))) {
    const target = Object.hasOwn(functions, name) ? functions[name] : builtin(name);
    if (target !== null) shielded.set(name, [`__function_${shielded.size}`, target]);
  }
  if (shielded.size === 0) return { source, aliases: {} };

  const edits: { from: number; to: number; alias: string }[] = [];
  parseExpression(source, context, DIALECT).iterate({
    enter(node) {
      const callee = node.name === 'FunctionInvocation' ? node.node.firstChild : null;
      if (callee?.name !== 'VariableName') return;
      const entry = shielded.get(source.slice(callee.from, callee.to).replace(/\s+/g, ' '));
      if (entry) edits.push({ from: callee.from, to: callee.to, alias: entry[0] });
    },
  });
  // Apply from the end so earlier offsets stay valid.
  const rewritten = edits
    .sort((a, b) => b.from - a.from)
    .reduce((text, edit) => text.slice(0, edit.from) + edit.alias + text.slice(edit.to), source);
  return { source: rewritten, aliases: Object.fromEntries(shielded.values()) };
}

/** Text pre-check (`name(`), so the usual expression is parsed only once. */
function callsName(source: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
  return new RegExp(`${escaped}\\s*\\(`).test(source);
}

/** feelin's built-in function of that name, or null. */
function builtin(name: string): unknown {
  try {
    const value = feelinEvaluate(name, {}, DIALECT).value;
    return typeof value === 'function' || value instanceof FeelFunction ? value : null;
  } catch {
    return null;
  }
}

/** Zeebe's names for result types, as in its incident messages. */
function resultType(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return (typeof value).toUpperCase();
  }
  if (Array.isArray(value)) return 'ARRAY';
  if (value instanceof FeelDuration) return value.yearsMonths ? 'PERIOD' : 'DURATION';
  if (value instanceof FeelDate || value instanceof FeelDateTime || value instanceof FeelTime) return 'DATE_TIME';
  return isContext(value) ? 'OBJECT' : 'UNKNOWN';
}

// --- clock ------------------------------------------------------------------------------------------------------

/** now() and today() on the engine's clock, not the host's. */
function clockFunctions(expression: string, options: FeelOptions): Record<string, FeelFunction> {
  const zone = options.zone ?? 'UTC';
  if (!IANAZone.isValidZone(zone)) throw new FeelError(expression, `unknown time zone '${zone}'`);
  const local = () => DateTime.fromJSDate(options.now ?? new Date(), { zone });
  return {
    now: feelFunction([], () => parseDateTime(`${local().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}@${zone}`)),
    today: feelFunction([], () => parseDate(local().toFormat('yyyy-MM-dd'))),
  };
}

// --- Camunda extensions feelin lacks ------------------------------------------------------------------------------

function feelFunction(parameters: string[], body: (...args: unknown[]) => unknown): FeelFunction {
  return new FeelFunction(body, parameters);
}

const CAMUNDA_EXTENSIONS: Record<string, FeelFunction> = {
  'is defined': feelFunction(['value'], (value) => {
    if (value === undefined) throw new EvaluationFailure('is defined() expects one argument');
    return value !== null;
  }),
  'get or else': feelFunction(['value', 'default'], (value, fallback) => value ?? fallback ?? null),
  assert: feelFunction(['value', 'condition', 'cause'], (value, condition, cause) => {
    if (condition === true) return value;
    throw new EvaluationFailure(typeof cause === 'string' ? cause : 'The condition is not fulfilled');
  }),
  'is empty': feelFunction(['list'], (list) => (Array.isArray(list) ? list.length === 0 : null)),
  'duplicate values': feelFunction(['list'], (list) => (Array.isArray(list) ? duplicateValues(list) : null)),
  partition: feelFunction(['list', 'size'], (list, size) =>
    Array.isArray(list) && typeof size === 'number' && size > 0 ? partition(list, size) : null,
  ),
  'get value': feelFunction(['context', 'key', 'keys'], (context, key, keys) => getValue(context, keys ?? key)),
  'string join': feelFunction(['list', 'delimiter', 'prefix', 'suffix'], stringJoin),
  'last day of month': feelFunction(['date'], lastDayOfMonth),
  trim: feelFunction(['string'], (text) => (typeof text === 'string' ? text.trim() : null)),
  'is blank': feelFunction(['string'], (text) => (typeof text === 'string' ? text.trim() === '' : null)),
  extract: feelFunction(['string', 'pattern'], extract),
  uuid: feelFunction([], () => randomUUID()),
  'random number': feelFunction([], () => Math.random()),
  'to base64': feelFunction(['value'], (text) =>
    typeof text === 'string' ? Buffer.from(text, 'utf8').toString('base64') : null,
  ),
  'from base64': feelFunction(['value'], (text) =>
    typeof text === 'string' ? Buffer.from(text, 'base64').toString('utf8') : null,
  ),
  'to json': feelFunction(['value'], (value) => JSON.stringify(toJson(value))),
  'from json': feelFunction(['value'], fromJson),
  /** Tags a value for the AI agent connector; to the engine it is the identity. */
  fromAi: feelFunction(['value', 'description', 'type', 'schema', 'options'], (value) => value),
};

/** Each value that occurs more than once, in order of first occurrence. */
function duplicateValues(list: unknown[]): unknown[] {
  const counts = new Map<string, { value: unknown; count: number }>();
  for (const value of list) {
    const key = JSON.stringify(toJson(value));
    const entry = counts.get(key) ?? { value, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].filter((entry) => entry.count > 1).map((entry) => entry.value);
}

function partition(list: unknown[], size: number): unknown[][] {
  const parts: unknown[][] = [];
  for (let start = 0; start < list.length; start += size) parts.push(list.slice(start, start + size));
  return parts;
}

/** `get value(context, "a")` and Camunda's `get value(context, ["a", "b"])` (a nested path). */
function getValue(context: unknown, path: unknown): unknown {
  const keys = typeof path === 'string' ? [path] : path;
  if (!Array.isArray(keys) || keys.length === 0) return null;
  let current: unknown = context;
  for (const key of keys) {
    if (!isContext(current) || typeof key !== 'string' || !Object.hasOwn(current, key)) return null;
    current = current[key];
  }
  return current ?? null;
}

/** Null items are skipped; any other non-string makes the result null (Camunda's rule). */
function stringJoin(list: unknown, delimiter: unknown, prefix: unknown, suffix: unknown): string | null {
  if (!Array.isArray(list)) return null;
  const items = list.filter((item) => item !== null && item !== undefined);
  if (!items.every((item): item is string => typeof item === 'string')) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return text(prefix) + items.join(text(delimiter)) + text(suffix);
}

function lastDayOfMonth(date: unknown): FeelDate | null {
  if (!(date instanceof FeelDate || date instanceof FeelDateTime)) return null;
  const lastDay = new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
  return parseDate(`${pad(date.year, 4)}-${pad(date.month)}-${pad(lastDay)}`);
}

function extract(text: unknown, pattern: unknown): string[] | null {
  if (typeof text !== 'string' || typeof pattern !== 'string') return null;
  try {
    return [...text.matchAll(new RegExp(pattern, 'g'))].map((match) => match[0]);
  } catch {
    return null;
  }
}

function fromJson(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

// --- FEEL value -> JSON, as Zeebe writes a result into a variable ------------------------------------------------

function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return toJsonNumber(value);
  if (value instanceof FeelDate) return value.iso;
  if (value instanceof FeelDateTime) return formatDateTime(value);
  if (value instanceof FeelTime) return formatTime(value);
  if (value instanceof FeelDuration) return formatDuration(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (isContext(value)) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJson(entry)]));
  return null; // functions and ranges: Zeebe stores null
}

/** A plain object: a FEEL context (feelin's own values are class instances). */
function isContext(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * feel-scala computes in decimals, feelin in binary floats: 0.1 + 0.2 is 0.3 in Camunda, 0.30000000000000004 here.
 * Rounding a fractional result to 15 significant digits drops that noise; integers are left alone.
 */
function toJsonNumber(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return Number.isInteger(value) ? value : Number(value.toPrecision(15));
}

/** Java's ISO_ZONED_DATE_TIME: offset always, zone id in brackets when it is a region, e.g. +08:00[Asia/Shanghai]. */
function formatDateTime(value: FeelDateTime): string {
  const local = `${value.value.toPlainDate().toString()}T${formatClock(value.value)}`;
  if (value.zone === null) return local;
  const offset = formatOffset(durationSeconds(value['time offset']));
  return isFixedOffset(value.zone) ? local + offset : `${local}${offset}[${value.zone}]`;
}

/** feel-scala's format for a zoned time (10:00:00+08:00, 10:00:00@Asia/Shanghai); Java's LocalTime for a local one. */
function formatTime(value: FeelTime): string {
  const clock = formatClock(value.value);
  if (value.zone === null) return value.value.second === 0 && clockFraction(value.value) === '' ? clock.slice(0, 5) : clock;
  return isFixedOffset(value.zone) ? clock + formatOffset(durationSeconds(value['time offset'])) : `${clock}@${value.zone}`;
}

/** feelin reads both 'Z' and '@UTC' as zone 'UTC'; Java would print the former as 'Z', which is what we pick. */
function isFixedOffset(zone: string): boolean {
  return zone === 'UTC' || /^[+-]\d{2}:\d{2}(:\d{2})?$/.test(zone);
}

interface Clock {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
  nanosecond: number;
}

/** HH:mm:ss plus the fraction with trailing zeros dropped, as Java's ISO formatters print it. */
function formatClock(clock: Clock): string {
  return `${pad(clock.hour)}:${pad(clock.minute)}:${pad(clock.second)}${clockFraction(clock)}`;
}

function clockFraction(clock: Clock): string {
  const nanos = clock.millisecond * 1_000_000 + clock.microsecond * 1_000 + clock.nanosecond;
  return nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
}

/** Java's appendOffsetId: 'Z' for zero, else +HH:MM (with :ss when there are seconds). */
function formatOffset(totalSeconds: number): string {
  if (totalSeconds === 0) return 'Z';
  const sign = totalSeconds < 0 ? '-' : '+';
  const abs = Math.abs(totalSeconds);
  const seconds = abs % 60;
  return `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}${seconds ? `:${pad(seconds)}` : ''}`;
}

/** feel-scala's duration toString: P1Y2M / P0Y, and P1DT2H3M4S / P0D with whole seconds and no years. */
function formatDuration(value: FeelDuration): string {
  if (value.yearsMonths) {
    const months = value.years * 12 + value.months;
    const parts: [number, string][] = [
      [Math.trunc(Math.abs(months) / 12), 'Y'],
      [Math.abs(months) % 12, 'M'],
    ];
    return months === 0 ? 'P0Y' : `${months < 0 ? '-' : ''}P${joinParts(parts)}`;
  }
  const total = Math.trunc(durationSeconds(value));
  const abs = Math.abs(total);
  const time = joinParts([
    [Math.floor(abs / 3600) % 24, 'H'],
    [Math.floor(abs / 60) % 60, 'M'],
    [abs % 60, 'S'],
  ]);
  const date = joinParts([[Math.floor(abs / 86400), 'D']]);
  return total === 0 ? 'P0D' : `${total < 0 ? '-' : ''}P${date}${time ? `T${time}` : ''}`;
}

function joinParts(parts: [number, string][]): string {
  return parts.map(([amount, unit]) => (amount === 0 ? '' : `${amount}${unit}`)).join('');
}

function durationSeconds(value: FeelDuration): number {
  return value.days * 86400 + value.hours * 3600 + value.minutes * 60 + value.seconds;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
