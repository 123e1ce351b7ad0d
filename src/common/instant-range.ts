import { ValidateBy, type ValidationOptions } from 'class-validator';
import { DateTime } from 'luxon';
import { InvalidRequestException } from './problem';

const ZONE = 'Asia/Shanghai';
const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
// An offset is required: a local time without one would be read in the server's zone, which is no one's intent.
// A space stands for '+' because an unencoded '+' in a query string arrives as a space.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+\- ]\d{2}:?\d{2})$/;

function parse(value: string): DateTime | undefined {
  if (BARE_DATE.test(value)) {
    const day = DateTime.fromISO(value, { zone: ZONE });
    return day.isValid && day.year >= 1900 && day.year <= 2199 ? day : undefined;
  }
  if (!INSTANT.test(value)) return undefined;
  const instant = DateTime.fromISO(value.replace(/ (\d{2}:?\d{2})$/, '+$1'), { setZone: true });
  return instant.isValid ? instant : undefined;
}

/** class-validator: an ISO 8601 instant with its offset (`2026-12-04T09:00:00+08:00`, `…Z`) or a bare date `2026-12-04`. */
export function IsInstantOrDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstantOrDate',
      validator: {
        validate: (value) => typeof value === 'string' && parse(value) !== undefined,
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 date-time with its offset (2026-12-04T09:00:00+08:00) or a date (2026-12-04, a day in Asia/Shanghai)`,
      },
    },
    options,
  );
}

/**
 * The half-open range [from, to) a pair of query parameters means: a bare date is its whole day in Asia/Shanghai
 * (`from` its start, `to` the start of the next day, so `from=to=2026-12-04` is that one day); an instant is itself.
 * A range that is empty (it ends where or before it starts) is a 400 naming `to`.
 */
export function instantRange(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const start = from === undefined ? undefined : parse(from)!.toJSDate();
  const endOf = to === undefined ? undefined : parse(to)!;
  const end = to === undefined ? undefined : BARE_DATE.test(to) ? endOf!.plus({ days: 1 }).toJSDate() : endOf!.toJSDate();
  if (start && end && end.getTime() <= start.getTime()) {
    throw new InvalidRequestException([{ field: 'to', message: `to (${to}) must be after from (${from}): the range is empty` }]);
  }
  return { from: start, to: end };
}
