import { maskIdNumber, maskIdNumbersIn } from '../common/id-number';

/** A submitted value whose JSON is longer than this is recorded by its size only (a form's text is at most 4,000). */
export const MAX_AUDITED_CHARS = 8_000;

/**
 * The values of a completed form as the audit trail keeps them: the decision and its reasons as submitted, with every
 * ID number masked (in any text, and whatever sits under a key named like `idNumber`), and a huge value (an upload,
 * a long list) replaced by its size.
 */
export function auditedValues(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      const size = JSON.stringify(value ?? null).length;
      return [key, size > MAX_AUDITED_CHARS ? { omitted: `${size} characters` } : masked(key, value)];
    }),
  );
}

function masked(key: string, value: unknown): unknown {
  if (typeof value === 'string') return /idnumber/i.test(key) ? maskIdNumber(value) : maskIdNumbersIn(value);
  if (Array.isArray(value)) return value.map((item) => masked(key, item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(k, v)]));
  return value;
}
