import { ValidateBy, type ValidationOptions } from 'class-validator';
import { DateTime } from 'luxon';

/**
 * Calendar dates as the API takes them: YYYY-MM-DD (a month: YYYY-MM) that exists on the calendar (no 2026-02-30,
 * no month 13), in a sane range PostgreSQL and our policy data can hold (PostgreSQL has no year 0).
 */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2199;

function inRange(text: string, pattern: RegExp, format: string): boolean {
  if (!pattern.test(text)) return false;
  const year = Number(text.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR && DateTime.fromFormat(text, format, { zone: 'Asia/Shanghai' }).isValid;
}

export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && inRange(value, /^\d{4}-\d{2}-\d{2}$/, 'yyyy-MM-dd');
}

export function isCalendarMonth(value: unknown): value is string {
  return typeof value === 'string' && inRange(value, /^\d{4}-\d{2}$/, 'yyyy-MM');
}

export const calendarDateMessage = (field: string) => `${field} must be a calendar date YYYY-MM-DD (${FIRST_YEAR}–${LAST_YEAR})`;

/** class-validator: a real calendar date YYYY-MM-DD. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isCalendarDate', validator: { validate: isCalendarDate, defaultMessage: (args) => calendarDateMessage(args?.property ?? 'date') } }, options);
}

/** class-validator: a real month YYYY-MM. */
export function IsCalendarMonth(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isCalendarMonth', validator: { validate: isCalendarMonth, defaultMessage: (args) => `${args?.property ?? 'month'} must be a month YYYY-MM (${FIRST_YEAR}–${LAST_YEAR})` } }, options);
}

/**
 * class-validator: this date is not after the date in `other` (same object), for ranges such as from / to. Put it
 * on both ends (`'before'` on from, `'after'` on to) so the problem names both fields.
 */
export function IsDateOrdered(side: 'before' | 'after', other: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateOrdered',
      constraints: [other],
      validator: {
        validate: (value, args) => {
          const that = (args?.object as Record<string, unknown>)[other];
          // Only two real dates are compared; a bad date is reported by its own rule.
          if (!isCalendarDate(value) || !isCalendarDate(that)) return true;
          return side === 'before' ? value <= that : value >= that;
        },
        defaultMessage: (args) => `${args?.property} must not be ${side === 'before' ? 'after' : 'before'} ${other}`,
      },
    },
    options,
  );
}
