import { CronExpressionParser } from 'cron-parser';
import { DateTime, Duration } from 'luxon';
import type { TimerDefinition } from './model';

/**
 * When a timer falls due, with Zeebe's reading of the three timer kinds: a duration from now, a date, or a cycle
 * (ISO 8601 repeating interval `R[n]/[start/]duration`, or a Spring-style cron expression). Calendar durations
 * (P1M) follow the calendar, and nothing is capped: a P40D timer is simply a row due 40 days later.
 */
export interface TimerSchedule {
  dueAt: Date;
  /** Firings left including this one; -1 repeats forever. */
  repetitions: number;
  /** The cycle to compute the next firing from, for cycles. */
  cycle?: string;
}

export class TimerExpressionError extends Error {}

export function scheduleTimer(definition: TimerDefinition, value: unknown, now: Date): TimerSchedule {
  const text = typeof value === 'string' ? value.trim() : value instanceof Date ? value.toISOString() : undefined;
  if (!text) throw new TimerExpressionError(`timer expression "${definition.expression}" gave ${JSON.stringify(value)}, not a ${definition.kind}`);
  switch (definition.kind) {
    case 'duration':
      return { dueAt: addDuration(now, text), repetitions: 1 };
    case 'date':
      return { dueAt: parseDate(text), repetitions: 1 };
    case 'cycle':
      return firstOfCycle(text, now);
  }
}

/** The firing after `previous` of a cycle, or undefined when the cycle is exhausted. */
export function nextOfCycle(cycle: string, previous: Date, repetitions: number): TimerSchedule | undefined {
  if (repetitions === 1) return undefined;
  const left = repetitions === -1 ? -1 : repetitions - 1;
  if (isCron(cycle)) return { dueAt: nextCron(cycle, previous), repetitions: left, cycle };
  const { interval } = parseRepeating(cycle);
  return { dueAt: addDuration(previous, interval), repetitions: left, cycle };
}

function firstOfCycle(cycle: string, now: Date): TimerSchedule {
  if (isCron(cycle)) return { dueAt: nextCron(cycle, now), repetitions: -1, cycle };
  const { repetitions, start, interval } = parseRepeating(cycle);
  // With a start date the first firing is at the start (or the first one after now); without, one interval from now.
  let dueAt = start ? parseDate(start) : addDuration(now, interval);
  let left = repetitions;
  while (start && dueAt < now && left !== 0) {
    dueAt = addDuration(dueAt, interval);
    if (left > 0) left -= 1;
  }
  return { dueAt, repetitions: left === 0 ? 1 : left, cycle };
}

function parseRepeating(cycle: string): { repetitions: number; start?: string; interval: string } {
  const parts = cycle.split('/');
  const match = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!match || parts.length < 2 || parts.length > 3) throw new TimerExpressionError(`"${cycle}" is neither a repeating interval (R5/PT10S) nor a cron expression`);
  const repetitions = match[1] === '' ? -1 : Number(match[1]);
  return parts.length === 3 ? { repetitions, start: parts[1], interval: parts[2]! } : { repetitions, interval: parts[1]! };
}

function isCron(cycle: string): boolean {
  return !cycle.startsWith('R') && cycle.split(/\s+/).length >= 5;
}

function nextCron(expression: string, after: Date): Date {
  try {
    return CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate();
  } catch (error) {
    throw new TimerExpressionError(`cron expression "${expression}": ${(error as Error).message}`);
  }
}

function addDuration(from: Date, iso: string): Date {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) throw new TimerExpressionError(`"${iso}" is not an ISO 8601 duration`);
  return DateTime.fromJSDate(from, { zone: 'utc' }).plus(duration).toJSDate();
}

function parseDate(text: string): Date {
  const date = DateTime.fromISO(text.replace(/\[.*\]$/, ''), { setZone: true });
  if (!date.isValid) throw new TimerExpressionError(`"${text}" is not an ISO 8601 date-time`);
  return date.toJSDate();
}
