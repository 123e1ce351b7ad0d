import { ValidateBy, type ValidationOptions } from 'class-validator';
import { DateTime } from 'luxon';
import { validationNow } from './request-validation';

/**
 * Resident ID numbers (居民身份证号码), GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence,
 * check character from ISO 7064 MOD 11-2.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function idNumberCheckChar(first17: string): string {
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * WEIGHTS[i], 0);
  return CHECK_CHARS[sum % 11];
}

export function isValidIdNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  const realDate = birth.getUTCFullYear() === year && birth.getUTCMonth() === month - 1 && birth.getUTCDate() === day;
  return year >= 1900 && realDate && idNumberCheckChar(value.slice(0, 17)) === value[17];
}

/** The birth date an ID number carries, YYYY-MM-DD (the number must be valid). */
export function idNumberBirthDate(value: string): string {
  return `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
}

/** Age in completed years on `today` (YYYY-MM-DD) of someone born on `birth`. */
export function ageOn(birth: string, today: string): number {
  return Math.floor(DateTime.fromISO(today).diff(DateTime.fromISO(birth), 'years').years);
}

/** Keeps the region (first 6) and the last 4 characters: 410821********1234. */
export function maskIdNumber(value: string): string {
  return value.length < 10 ? '*'.repeat(value.length) : `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
}

// Anything shaped like an 18-character ID number (valid check digit or not: a mistyped number is still personal data).
// Its edges are digits only: letters may touch it (`…0021b`, `id1101…`), and so may a percent escape that ends in a
// digit (`%22…%22`, `%B7…`); a longer run of digits (an engine key has up to 19) is a number, not an ID number.
const ID_NUMBER_IN_TEXT = /(?:(?<=%[0-9A-Fa-f]\d)|(?<!\d))\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?:[Xx]|\d(?!\d))/g;

/** Masks every ID number found in free text (log lines, notices). */
export function maskIdNumbersIn(text: string): string {
  return text.replace(ID_NUMBER_IN_TEXT, (match) => maskIdNumber(match));
}

/** Today in Asia/Shanghai by the service clock while a request is validated (undefined outside a request). */
function validationToday(): string | undefined {
  const now = validationNow();
  return now && DateTime.fromJSDate(now, { zone: 'Asia/Shanghai' }).toISODate()!;
}

/**
 * class-validator: an 18-character resident ID number with a valid birth date and check character, born no later
 * than today (by the service clock).
 */
export function IsIdNumber(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIdNumber',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !isValidIdNumber(value)) return false;
          const today = validationToday();
          return !today || idNumberBirthDate(value) <= today;
        },
        // Never echo the number: it is personal data and lands in logs.
        defaultMessage: (args) =>
          typeof args?.value === 'string' && isValidIdNumber(args.value)
            ? `${args.property} carries a birth date after today`
            : `${args?.property ?? 'idNumber'} must be a valid 18-character resident ID number (GB 11643: birth date and check character)`,
      },
    },
    validationOptions,
  );
}

/**
 * class-validator, on an age beside an ID number (`idField` of the same object): the age may not contradict the
 * birth date in the number. One year either way is allowed: forms often give the age reached this year.
 */
export function AgreesWithIdNumber(idField: string, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'agreesWithIdNumber',
      constraints: [idField],
      validator: {
        validate: (value: unknown, args) => {
          const id = (args?.object as Record<string, unknown>)[idField];
          const today = validationToday();
          // A bad number or age is reported by its own rule.
          if (typeof value !== 'number' || typeof id !== 'string' || !isValidIdNumber(id) || !today) return true;
          const birth = idNumberBirthDate(id);
          return birth > today || Math.abs(value - ageOn(birth, today)) <= 1;
        },
        defaultMessage: (args) => `${args?.property} contradicts the birth date in ${idField}`,
      },
    },
    validationOptions,
  );
}
