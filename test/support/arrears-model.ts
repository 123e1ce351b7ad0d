import fc from 'fast-check';
import { addMonths, type ExistingLine, linesDue } from '../../src/payments/arrears';

/**
 * Generated histories for the arrears property (issue 16): households approved, changed, dying or stopped on any
 * day of the month, over monthly cycles generated on the 25th and settled by the bank on the 10th, some lines
 * failing or returned. The same history runs against the pure rule (src/payments/arrears.ts) and the real SQL.
 */
export interface Household {
  approvedAt: { month: number; day: number };
  benefitFen: number;
  /** A later benefit: an increase from the month after it (the difference paid for months generated), a decrease from the first month not generated. */
  change?: { afterDays: number; benefitFen: number };
  end?: { afterDays: number; kind: 'death' | 'stop' };
}

export interface History {
  households: Household[];
  /** Which settled lines fail: a line fails when its hash modulo 5 is below this (0 = none). */
  failures: number;
  salt: number;
}

export const START = '2026-07-01';
/** Cycles are generated for START+1 … START+MONTHS. */
const MONTHS = 6;

const household = (withChanges: boolean): fc.Arbitrary<Household> =>
  fc.record({
    approvedAt: fc.record({ month: fc.integer({ min: 0, max: 3 }), day: fc.integer({ min: 1, max: 31 }) }),
    benefitFen: fc.integer({ min: 1, max: 600 }).map((n) => n * 100),
    change: withChanges ? fc.option(fc.record({ afterDays: fc.integer({ min: 1, max: 120 }), benefitFen: fc.integer({ min: 1, max: 600 }).map((n) => n * 100) }), { nil: undefined }) : fc.constant(undefined),
    end: fc.option(fc.record({ afterDays: fc.integer({ min: 1, max: 150 }), kind: fc.constantFrom('death' as const, 'stop' as const) }), { nil: undefined }),
  });

export function historyOf(withChanges: boolean): fc.Arbitrary<History> {
  return fc.record({ households: fc.array(household(withChanges), { minLength: 1, maxLength: 4 }), failures: fc.integer({ min: 0, max: 3 }), salt: fc.integer({ min: 0, max: 1000 }) });
}

export interface Line {
  index: number;
  month: string;
  attempt: number;
  amountFen: number;
  status: ExistingLine['status'];
  /** The month of the cycle that generated it. */
  cycleMonth: string;
}

/** What the simulation needs of a payroll: the pure one below, or the real service (test/arrears.e2e-spec.ts). */
export interface Payroll {
  enrol(index: number, fromMonth: string, benefitFen: number): Promise<void>;
  change?(index: number, fromMonth: string, benefitFen: number): Promise<void>;
  end(index: number, untilMonth: string): Promise<void>;
  generate(month: string): Promise<string>;
  settle(cycleId: string, result: (index: number, month: string) => 'paid' | 'failed' | 'returned'): Promise<void>;
  lines(): Promise<Line[]>;
}

export interface Outcome {
  lines: Line[];
  /** Per household: first month, the end as recorded (first month no longer paid), amounts by month of effect. */
  enrolments: { fromMonth: string; untilMonth: string | null; amounts: { from: string; fen: number }[]; endRecordedAfterCycle: string | null }[];
  lastCycle: string;
}

const daysIn = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
/** A day as (month offset, day of month), clipped to the month's length; absolute index for ordering. */
const time = (month: number, day: number) => month * 32 + Math.min(day, daysIn(addMonths(START, month)));
const later = (t: number, days: number) => {
  let month = Math.floor(t / 32);
  let day = (t % 32) + days;
  while (day > daysIn(addMonths(START, month))) day -= daysIn(addMonths(START, month++));
  return time(month, day);
};

export async function simulate(history: History, payroll: Payroll): Promise<Outcome> {
  const enrolments: Outcome['enrolments'] = history.households.map(() => ({ fromMonth: '', untilMonth: null, amounts: [], endRecordedAfterCycle: null }));
  let generatedThrough = START;
  const cycles = new Map<string, string>();
  const events: { at: number; order: number; run: () => Promise<void> }[] = [];
  const deaths: { index: number; at: number; month: string }[] = [];
  const monthOf = (t: number) => addMonths(START, Math.floor(t / 32));
  const firstUngenerated = (t: number) => [addMonths(monthOf(t), 1), addMonths(generatedThrough, 1)].sort().pop()!;
  const end = async (index: number, untilMonth: string) => {
    const e = enrolments[index]!;
    if (e.untilMonth !== null) return;
    // As the repository's endEnrolment: never before the first month's end.
    e.untilMonth = [untilMonth, addMonths(e.fromMonth, 1)].sort().pop()!;
    e.endRecordedAfterCycle = generatedThrough;
    await payroll.end(index, untilMonth);
  };
  history.households.forEach((h, index) => {
    const approved = time(h.approvedAt.month, h.approvedAt.day);
    events.push({ at: approved, order: 2, run: async () => {
      const fromMonth = addMonths(monthOf(approved), 1);
      Object.assign(enrolments[index]!, { fromMonth, amounts: [{ from: fromMonth, fen: h.benefitFen }] });
      await payroll.enrol(index, fromMonth, h.benefitFen);
    } });
    if (h.change && payroll.change) {
      const at = later(approved, h.change.afterDays);
      const change = h.change;
      events.push({ at, order: 2, run: async () => {
        const e = enrolments[index]!;
        const current = e.amounts[e.amounts.length - 1]!.fen;
        // An increase reaches the month after the decision even when generated (the difference is paid as arrears);
        // a decrease only a month not generated yet (what was paid stays paid).
        const from = change.benefitFen > current ? addMonths(monthOf(at), 1) : firstUngenerated(at);
        e.amounts = [...e.amounts.filter((a) => a.from < from), { from: [from, e.fromMonth].sort().pop()!, fen: change.benefitFen }];
        await payroll.change!(index, from, change.benefitFen);
      } });
    }
    if (h.end) {
      const at = later(approved, h.end.afterDays);
      if (h.end.kind === 'stop') events.push({ at, order: 2, run: () => end(index, firstUngenerated(at)) });
      else deaths.push({ index, at, month: monthOf(at) });
    }
  });
  let settled = 0;
  for (let k = 0; k <= MONTHS; k++) {
    const month = addMonths(START, k);
    // The 10th: the bank's results of this month's cycle.
    events.push({ at: time(k, 10), order: 0, run: async () => {
      const cycleId = cycles.get(month);
      if (!cycleId) return;
      const final = month >= addMonths(START, MONTHS - 1);
      settled += 1;
      await payroll.settle(cycleId, (index, benefitMonth) => {
        const hash = (index * 31 + Number(benefitMonth.slice(5, 7)) * 7 + settled * 13 + history.salt) % 5;
        return !final && hash < history.failures ? (hash % 2 ? 'returned' : 'failed') : 'paid';
      });
    } });
    if (k === MONTHS) break;
    // The 25th: deaths known by then end their households, then next month's cycle is generated, before that
    // day's own decisions.
    events.push({ at: time(k, 25), order: 1, run: async () => {
      for (const d of deaths.filter((x) => x.at < time(k, 25) && enrolments[x.index]!.fromMonth)) await end(d.index, addMonths(d.month, 1));
      const next = addMonths(month, 1);
      cycles.set(next, await payroll.generate(next));
      generatedThrough = next;
    } });
  }
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const e of events) await e.run();
  return { lines: await payroll.lines(), enrolments, lastCycle: addMonths(START, MONTHS) };
}

/** Each enrolled month paid exactly once at its amount; nothing paid outside an enrolment but what was out before its end. */
export function checkPaidOnce(history: History, outcome: Outcome): void {
  outcome.enrolments.forEach((e, index) => {
    const mine = outcome.lines.filter((l) => l.index === index);
    const amountFor = (m: string) => [...e.amounts].reverse().find((a) => a.from <= m)!.fen;
    const fail = (message: string) => {
      throw new Error(`household ${index} ${JSON.stringify(history.households[index])} ${JSON.stringify(e)}: ${message}\n${JSON.stringify(mine)}`);
    };
    if (!e.fromMonth) {
      if (mine.length) fail('paid without an enrolment');
      return;
    }
    for (const l of mine) {
      if (l.month < e.fromMonth || l.month > outcome.lastCycle) fail(`line for ${l.month} outside the enrolment`);
      if (e.untilMonth && l.month >= e.untilMonth && l.cycleMonth > e.endRecordedAfterCycle!) fail(`line for ${l.month} generated after the end`);
    }
    for (let m = e.fromMonth; m < outcome.lastCycle && (!e.untilMonth || m < e.untilMonth); m = addMonths(m, 1)) {
      const ofMonth = mine.filter((l) => l.month === m);
      const paid = ofMonth.filter((l) => l.status === 'paid').reduce((s, l) => s + l.amountFen, 0);
      if (paid !== amountFor(m)) fail(`${m} paid ${paid}, owed ${amountFor(m)}`);
      if (ofMonth.some((l) => l.status === 'issued')) fail(`${m} still has a pending line`);
      if (new Set(ofMonth.map((l) => l.attempt)).size !== ofMonth.length) fail(`${m} has two lines of one attempt`);
    }
  });
}

/** The rule in memory: the pure `linesDue` (or another rule, to show the property can fail) over the same history. */
export function purePayroll(rule: typeof linesDue = linesDue): Payroll {
  const enrolments: { fromMonth: string; untilMonth: string | null; amounts: { from: string; fen: number }[] }[] = [];
  const lines: (Line & { cycleId: string })[] = [];
  return {
    async enrol(index, fromMonth, benefitFen) {
      enrolments[index] = { fromMonth, untilMonth: null, amounts: [{ from: fromMonth, fen: benefitFen }] };
    },
    async change(index, fromMonth, benefitFen) {
      const e = enrolments[index]!;
      e.amounts = [...e.amounts.filter((a) => a.from < fromMonth), { from: [fromMonth, e.fromMonth].sort().pop()!, fen: benefitFen }];
    },
    async end(index, untilMonth) {
      const e = enrolments[index]!;
      if (e.untilMonth === null) e.untilMonth = [untilMonth, addMonths(e.fromMonth, 1)].sort().pop()!;
    },
    async generate(month) {
      enrolments.forEach((e, index) => {
        if (!e) return;
        const amountFor = (m: string) => [...e.amounts].reverse().find((a) => a.from <= m)!.fen;
        for (const due of rule({ ...e, amountFor }, lines.filter((l) => l.index === index), month)) {
          lines.push({ index, month: due.month, attempt: due.attempt, amountFen: due.amountFen, status: 'issued', cycleMonth: month, cycleId: month });
        }
      });
      return month;
    },
    async settle(cycleId, result) {
      for (const l of lines) if (l.cycleId === cycleId && l.status === 'issued') l.status = result(l.index, l.month);
    },
    async lines() {
      return lines.map(({ cycleId: _, ...l }) => l);
    },
  };
}
