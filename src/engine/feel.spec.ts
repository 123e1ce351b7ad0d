import { evaluate, evaluateCondition, FeelError, isExpression, resolve } from './feel';

const NOW = new Date('2026-01-02T10:00:00Z');
const at = (expression: string, variables: Record<string, unknown> = {}) => evaluate(expression, variables, { now: NOW });

describe('isExpression', () => {
  it.each([
    ['=a', true],
    ['  = a', true],
    ['a', false],
    ['a = b', false],
    ['', false],
    [undefined, false],
  ])('%p -> %p', (value, expected) => {
    expect(isExpression(value)).toBe(expected);
  });
});

describe('evaluate', () => {
  it('accepts the expression with or without the leading =', () => {
    expect(evaluate('= a + 1', { a: 1 })).toBe(2);
    expect(evaluate('a + 1', { a: 1 })).toBe(2);
  });

  it('throws a FeelError naming the expression on a syntax error', () => {
    expect(() => evaluate('=a +', { a: 1 })).toThrow(FeelError);
    expect(() => evaluate('=a +', { a: 1 })).toThrow(/^failed to evaluate expression '=a \+': /);
  });

  it('evaluates a missing variable to null', () => {
    expect(evaluate('missing', {})).toBeNull();
  });

  it('evaluates a path on null or a missing entry to null', () => {
    expect(evaluate('a.b.c', { a: { b: null } })).toBeNull();
    expect(evaluate('missing.name', {})).toBeNull();
    expect(evaluate('a.other', { a: { b: 1 } })).toBeNull();
  });

  it('evaluates an operation on mismatched types to null', () => {
    expect(evaluate('"a" + 1', {})).toBeNull();
  });

  it('concatenates strings with +', () => {
    expect(evaluate('"Dear " + name', { name: 'Li' })).toBe('Dear Li');
  });

  it.each([
    ['income < 1000', true],
    ['income >= 1200', false],
    ['income = 900', true],
    ['income != 900', false],
    ['income between 500 and 1000', true],
    ['status = "open"', true],
  ])('compares: %s', (expression, expected) => {
    expect(evaluate(expression, { income: 900, status: 'open' })).toBe(expected);
  });

  it('evaluates if then else', () => {
    expect(evaluate('if age >= 60 then "elderly" else "adult"', { age: 65 })).toBe('elderly');
    expect(evaluate('if age >= 60 then "elderly" else "adult"', { age: 30 })).toBe('adult');
  });

  it('evaluates some and every', () => {
    const variables = { ages: [5, 40, 70] };
    expect(evaluate('some a in ages satisfies a > 65', variables)).toBe(true);
    expect(evaluate('every a in ages satisfies a > 18', variables)).toBe(false);
  });

  it('filters lists', () => {
    expect(evaluate('items[item > 3]', { items: [1, 5, 2, 7] })).toEqual([5, 7]);
    expect(evaluate('members[age < 18].name', { members: [{ name: 'A', age: 10 }, { name: 'B', age: 40 }] })).toEqual(['A']);
  });

  it('tests membership in ranges and iterates over them', () => {
    expect(evaluate('score in [60..100]', { score: 60 })).toBe(true);
    expect(evaluate('score in (60..100]', { score: 60 })).toBe(false);
    expect(evaluate('for i in 1..3 return i * 2', {})).toEqual([2, 4, 6]);
  });

  it('builds contexts and reads paths in them', () => {
    expect(evaluate('{a: 1, b: {c: x}}', { x: 'y' })).toEqual({ a: 1, b: { c: 'y' } });
    expect(evaluate('{a: {b: [10, 20]}}.a.b[2]', {})).toBe(20);
  });

  it('reads variable names with spaces and backticks', () => {
    expect(evaluate('`household-size` + 1', { 'household-size': 3 })).toBe(4);
  });

  it('returns numbers as numbers, dropping binary float noise', () => {
    expect(evaluate('0.1 + 0.2', {})).toBe(0.3);
    expect(evaluate('1.1 * 3', {})).toBe(3.3);
    expect(evaluate('10 / 4', {})).toBe(2.5);
    expect(evaluate('1 / 0', {})).toBeNull();
  });

  it('returns functions and ranges as null, as Zeebe stores them', () => {
    expect(evaluate('function(x) x', {})).toBeNull();
    expect(evaluate('[1..3]', {})).toBeNull();
  });

  it('copies results rather than returning the variables themselves', () => {
    const order = { id: 1 };
    const result = evaluate('order', { order });
    expect(result).toEqual({ id: 1 });
    expect(result).not.toBe(order);
  });
});

describe('built-in functions', () => {
  it.each<[string, unknown]>([
    ['string(1.5)', '1.5'],
    ['string(date("2026-01-02"))', '2026-01-02'],
    ['number("12.5")', 12.5],
    ['count([1, 2, 3])', 3],
    ['sum([1, 2, 3])', 6],
    ['min([3, 1, 2])', 1],
    ['max(3, 1, 2)', 3],
    ['contains("abc", "b")', true],
    ['upper case("abc")', 'ABC'],
    ['lower case("ABC")', 'abc'],
    ['substring("abcdef", 2, 3)', 'bcd'],
    ['string length("abc")', 3],
    ['starts with("abc", "ab")', true],
    ['ends with("abc", "bc")', true],
    ['matches("110101199001011234", "^\\d{17}[\\dX]$")', true],
    ['replace("2026-01-02", "-", "/")', '2026/01/02'],
    ['split("a,b,c", ",")', ['a', 'b', 'c']],
    ['string join(["a", "b"], ", ")', 'a, b'],
    ['list contains([1, 2], 2)', true],
    ['append([1], 2, 3)', [1, 2, 3]],
    ['concatenate([1], [2, 3])', [1, 2, 3]],
    ['flatten([[1], [2, [3]]])', [1, 2, 3]],
    ['distinct values([1, 1, 2])', [1, 2]],
    ['index of([1, 2, 1], 1)', [1, 3]],
    ['sort([3, 1, 2], function(a, b) a < b)', [1, 2, 3]],
    ['decimal(1 / 3, 2)', 0.33],
    ['floor(1.5)', 1],
    ['ceiling(1.2)', 2],
    ['round half up(2.5, 0)', 3],
    ['abs(-3)', 3],
    ['modulo(7, 3)', 1],
    ['get value({a: 1}, "a")', 1],
    ['get entries({a: 1})', [{ key: 'a', value: 1 }]],
    ['context put({a: 1}, "b", 2)', { a: 1, b: 2 }],
    ['context merge([{a: 1}, {b: 2}])', { a: 1, b: 2 }],
  ])('%s', (expression, expected) => {
    expect(evaluate(expression, {})).toEqual(expected);
  });
});

describe('Camunda extensions supplied on top of feelin', () => {
  it.each<[string, unknown]>([
    ['is defined(missing)', false],
    ['is defined(nothing)', false],
    ['is defined(present)', true],
    ['is defined(present.missing)', false],
    ['get or else(missing, "default")', 'default'],
    ['get or else(present, "default")', 1],
    ['is empty([])', true],
    ['is empty([1])', false],
    ['partition([1, 2, 3, 4, 5], 2)', [[1, 2], [3, 4], [5]]],
    ['partition([1, 2], 0)', null],
    ['duplicate values([1, 2, 3, 2, 1])', [1, 2]],
    ['get value({x: 1, y: {z: 0}}, ["y", "z"])', 0],
    ['get value({a: {b: 3}}, ["b"])', null],
    ['string join(["a", null, "c"], ", ", "[", "]")', '[a, c]'],
    ['string join(["a", 1], ", ")', null],
    ['trim("  a b  ")', 'a b'],
    ['is blank(" ")', true],
    ['extract("refs 1234, 1256, 1378", "12[0-9]*")', ['1234', '1256']],
    ['to base64("FEEL")', 'RkVFTA=='],
    ['from base64("RkVFTA==")', 'FEEL'],
    ['to json({a: 1, d: date("2026-01-02")})', '{"a":1,"d":"2026-01-02"}'],
    ['from json("{\\"a\\": [1, true]}")', { a: [1, true] }],
    ['last day of month(date("2024-02-10"))', '2024-02-29'],
    ['last day of month(date and time("2026-04-16T12:00:00"))', '2026-04-30'],
  ])('%s', (expression, expected) => {
    expect(evaluate(expression, { present: 1, nothing: null })).toEqual(expected);
  });

  it('uuid() returns a fresh v4 UUID', () => {
    const first = evaluate('uuid()', {});
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(evaluate('uuid()', {})).not.toBe(first);
  });

  it('assert() returns the value when the condition holds', () => {
    expect(evaluate('assert(x, x > 0)', { x: 4 })).toBe(4);
  });

  it('assert() fails the evaluation with its cause when the condition does not hold', () => {
    expect(() => evaluate('assert(x, x != null, "x is required")', {})).toThrow(FeelError);
    expect(() => evaluate('assert(x, x != null, "x is required")', {})).toThrow(/x is required$/);
  });
});

describe('functions and variables of the same name', () => {
  it('calls the built-in even when a variable has its name', () => {
    expect(evaluate('count(items) + count', { count: 10, items: [1, 2, 3] })).toBe(13);
  });

  it('calls the engine clock even when a variable is named today', () => {
    expect(evaluate('[today(), today]', { today: 'Friday' }, { now: NOW })).toEqual(['2026-01-02', 'Friday']);
  });

  it('calls a supplied extension even when a variable has its name', () => {
    expect(evaluate('is empty(`is empty`)', { 'is empty': [] })).toBe(true);
  });
});

describe('dates, times and durations', () => {
  it('returns a date as yyyy-MM-dd', () => {
    expect(evaluate('date("2026-01-02")', {})).toBe('2026-01-02');
  });

  it('returns a date and time with an offset as Java ISO', () => {
    expect(evaluate('date and time("2026-01-05T09:00:00+08:00")', {})).toBe('2026-01-05T09:00:00+08:00');
    expect(evaluate('date and time("2026-01-05T09:00:00.120Z")', {})).toBe('2026-01-05T09:00:00.12Z');
  });

  it('returns a date and time with a zone id as offset plus [zone]', () => {
    expect(evaluate('date and time("2026-07-01T09:00:00@Europe/Berlin")', {})).toBe(
      '2026-07-01T09:00:00+02:00[Europe/Berlin]',
    );
  });

  it('returns a local date and time without offset', () => {
    expect(evaluate('date and time("2026-01-05T09:00:00")', {})).toBe('2026-01-05T09:00:00');
  });

  it('returns times as feel-scala prints them', () => {
    expect(evaluate('time("09:30:00+08:00")', {})).toBe('09:30:00+08:00');
    expect(evaluate('time("09:30:00")', {})).toBe('09:30');
    expect(evaluate('time("09:30:15")', {})).toBe('09:30:15');
  });

  it.each([
    ['duration("P3D")', 'P3D'],
    ['duration("PT12H")', 'PT12H'],
    ['duration("PT36H")', 'P1DT12H'],
    ['duration("PT0S")', 'P0D'],
    ['duration("-P3D")', '-P3D'],
    ['duration("P14M")', 'P1Y2M'],
    ['duration("P0M")', 'P0Y'],
    ['years and months duration(date("2024-01-15"), date("2026-03-20"))', 'P2Y2M'],
  ])('returns %s as %s', (expression, expected) => {
    expect(evaluate(expression, {})).toBe(expected);
  });

  it('adds a duration to a date and time', () => {
    expect(evaluate('date and time("2026-01-05T09:00:00+08:00") + duration("P3D")', {})).toBe(
      '2026-01-08T09:00:00+08:00',
    );
  });

  it('subtracts dates into a days duration', () => {
    expect(evaluate('date("2026-02-05") - date("2026-02-01")', {})).toBe('P4D');
  });

  it('compares dates', () => {
    expect(evaluate('date(deadline) < date("2026-03-01")', { deadline: '2026-02-28' })).toBe(true);
  });

  it('converts temporal values nested in contexts and lists', () => {
    expect(evaluate('{due: date("2026-01-02"), waits: [duration("P1D")]}', {})).toEqual({
      due: '2026-01-02',
      waits: ['P1D'],
    });
  });
});

describe('clock', () => {
  it('now() is the instant passed, in UTC by default', () => {
    expect(at('now()')).toBe('2026-01-02T10:00:00Z');
  });

  it('now() + a duration is computed from the instant passed', () => {
    expect(at('now() + duration("PT12H")')).toBe('2026-01-02T22:00:00Z');
  });

  it('now() keeps milliseconds', () => {
    expect(evaluate('now()', {}, { now: new Date('2026-01-02T10:00:00.250Z') })).toBe('2026-01-02T10:00:00.25Z');
  });

  it('now() is in the zone passed', () => {
    expect(evaluate('now()', {}, { now: NOW, zone: 'Asia/Shanghai' })).toBe('2026-01-02T18:00:00+08:00[Asia/Shanghai]');
  });

  it('today() is the date of the instant passed in the zone passed', () => {
    const lateEvening = new Date('2026-01-02T20:00:00Z');
    expect(evaluate('today()', {}, { now: lateEvening })).toBe('2026-01-02');
    expect(evaluate('today()', {}, { now: lateEvening, zone: 'Asia/Shanghai' })).toBe('2026-01-03');
  });

  it('rejects an unknown zone', () => {
    expect(() => evaluate('today()', {}, { zone: 'Mars/Olympus' })).toThrow(/unknown time zone 'Mars\/Olympus'/);
  });
});

describe('resolve', () => {
  it('evaluates a value starting with =', () => {
    expect(resolve('=retries + 1', { retries: 2 })).toBe(3);
  });

  it('returns any other value as the literal string', () => {
    expect(resolve('approve-application', { 'approve-application': 'no' })).toBe('approve-application');
  });
});

describe('evaluateCondition', () => {
  it('returns the boolean result', () => {
    expect(evaluateCondition('=income < 1000', { income: 900 })).toBe(true);
    expect(evaluateCondition('=income < 1000', { income: 1900 })).toBe(false);
  });

  it('fails on a null result instead of treating it as false', () => {
    expect(() => evaluateCondition('=income < 1000', {})).toThrow(
      "failed to evaluate expression '=income < 1000': expected a BOOLEAN result, but was 'NULL'",
    );
  });

  it('fails on a non-boolean result', () => {
    expect(() => evaluateCondition('=income', { income: 900 })).toThrow(/but was 'NUMBER'$/);
  });
});
