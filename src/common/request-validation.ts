import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Clock } from './clock';
import { type FieldProblem, fieldProblems, InvalidRequestException, unknownFieldMessage } from './problem';

/**
 * The request-validation layer every route shares (issue 17): a JSON depth limit before anything walks a body, no
 * control characters in any string of a body, query or path (PostgreSQL refuses NUL in text: it would be a 500
 * after a sequence number was taken), and class-validator on the DTOs with the service clock as "today".
 */

/** Deeper than any DTO of ours (members[0].disability.grade is 3): more is an attack or a bug. */
export const MAX_JSON_DEPTH = 32;

// C0 controls except tab, line feed and carriage return (free text keeps its line breaks), and DEL.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const escapeControls = (text: string) => text.replace(new RegExp(CONTROL.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

/** A child's field path as fieldProblems names it: members[0].idNumber. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const name = escapeControls(key);
  return parent ? `${parent}.${name}` : name;
}

/**
 * Walks a parsed value without recursion (a hostile body must not overflow the stack): the first level deeper than
 * `maxDepth`, if any, and every string or key holding a control character.
 */
export function shapeProblems(value: unknown, root = '', maxDepth = MAX_JSON_DEPTH): { tooDeep: boolean; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (hasControlCharacter(v)) problems.push({ field: path || 'body', message: `${path || 'body'} must not contain control characters (such as NUL)` });
    } else if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return { tooDeep: true, problems: [{ field: root || 'body', message: `${root || 'body'} is nested more than ${maxDepth} levels deep` }] };
      const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
      for (const [key, child] of entries.reverse()) {
        const at = childPath(path, key);
        if (typeof key === 'string' && hasControlCharacter(key)) problems.push({ field: at, message: `the field name ${at} must not contain control characters` });
        stack.push({ value: child, path: at, depth: depth + 1 });
      }
    }
  }
  return { tooDeep: false, problems };
}

/** Express middleware after the JSON parser: a body nested deeper than the limit is a 400 before any guard, interceptor or pipe reads it. */
export function jsonDepthLimit(maxDepth = MAX_JSON_DEPTH) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const { tooDeep, problems } = shapeProblems(req.body, '', maxDepth);
    next(tooDeep ? new InvalidRequestException(problems) : undefined);
  };
}

const validationClock = new AsyncLocalStorage<Clock>();

/**
 * The service clock's now while a request is validated: class-validator decorators have no injection, and "born in
 * the future" must be judged by the clock tests move, never by the machine's. Undefined outside validation.
 */
export function validationNow(): Date | undefined {
  return validationClock.getStore()?.now();
}

/**
 * What a body DTO class may add to its field rules (static members, read by the pipe):
 * - `crossFieldProblems(body)`: rules spanning fields (a memberId naming a listed member), run on the raw body even when
 *   field rules failed, so one 400 lists every problem (an integrator fixing one layer must not meet the next). It
 *   must tolerate any shape: a field of the wrong type is the field rules' to report.
 * - `unknownFieldHint`: said with an unknown top-level field, where the caller's values belong.
 */
export interface BodyRules {
  crossFieldProblems?(body: unknown): FieldProblem[];
  unknownFieldHint?: string;
}

/**
 * The global pipe: class-validator on DTOs (whitelist, every problem at once, dotted field names) plus the
 * control-character check on every body, query and path parameter, reported together.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor(private readonly clock: Clock) {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new InvalidRequestException(fieldProblems(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const checked = metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param';
    const control = checked ? shapeProblems(value, metadata.data ?? '').problems : [];
    const rules: BodyRules = metadata.type === 'body' && metadata.metatype ? (metadata.metatype as BodyRules) : {};
    let result: unknown;
    let fields: FieldProblem[] = [];
    try {
      result = await validationClock.run(this.clock, () => super.transform(value, metadata));
    } catch (error) {
      if (!(error instanceof InvalidRequestException)) throw error;
      fields = error.fieldProblems.map((p) => (rules.unknownFieldHint && !/[.[]/.test(p.field) && p.message === unknownFieldMessage(p.field) ? { ...p, message: unknownFieldMessage(p.field, rules.unknownFieldHint) } : p));
    }
    const cross = typeof rules.crossFieldProblems === 'function' ? rules.crossFieldProblems(value) : [];
    const problems = distinct([...control, ...fields, ...cross]);
    if (problems.length) throw new InvalidRequestException(problems);
    return result;
  }
}

/** The same field and message once (a control character found by both the shape walk and a DTO rule). */
function distinct(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
