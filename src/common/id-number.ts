import { ValidateBy, type ValidationOptions } from 'class-validator';

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

/** class-validator: an 18-character resident ID number with a valid birth date and check character. */
export function IsIdNumber(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIdNumber',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidIdNumber(value),
        // Never echo the number: it is personal data and lands in logs.
        defaultMessage: (args) => `${args?.property ?? 'idNumber'} must be a valid 18-character resident ID number (GB 11643: birth date and check character)`,
      },
    },
    validationOptions,
  );
}
