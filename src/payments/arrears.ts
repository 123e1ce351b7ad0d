/**
 * Which months a cycle pays a beneficiary (issue 16, 补发): every month from the enrolment's first month up to the
 * cycle's own month (and before `untilMonth`) whose paid and pending lines do not add up to the amount in force for
 * that month. A month never paid (approved after its cycle was generated, or its line failed or was returned) is
 * paid whole; a month paid at a lower amount than is now in force for it gets the difference. Months before the
 * cycle's own are arrears. The SQL of `PayrollService.generate` implements this rule set-based; the property test
 * checks both against the same histories.
 */

/** Months are `YYYY-MM-01`. */
export interface Enrolment {
  fromMonth: string;
  /** First month no longer paid; null while the benefit runs. */
  untilMonth: string | null;
  /** The amount in force for a month (fen). */
  amountFor(month: string): number;
}

export interface ExistingLine {
  month: string;
  attempt: number;
  amountFen: number;
  status: 'issued' | 'paid' | 'failed' | 'returned';
}

export interface DueLine {
  month: string;
  attempt: number;
  amountFen: number;
  kind: 'benefit' | 'arrears';
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** A paid or pending (issued) line covers its amount; failed and returned ones cover nothing. */
export const covers = (line: ExistingLine) => line.status === 'paid' || line.status === 'issued';

export function linesDue(enrolment: Enrolment, lines: readonly ExistingLine[], cycleMonth: string): DueLine[] {
  const due: DueLine[] = [];
  for (let month = enrolment.fromMonth; month <= cycleMonth && (enrolment.untilMonth === null || month < enrolment.untilMonth); month = addMonths(month, 1)) {
    const ofMonth = lines.filter((l) => l.month === month);
    const covered = ofMonth.filter(covers).reduce((sum, l) => sum + l.amountFen, 0);
    const owed = enrolment.amountFor(month) - covered;
    if (owed <= 0) continue;
    const attempt = ofMonth.reduce((max, l) => Math.max(max, l.attempt), 0) + 1;
    due.push({ month, attempt, amountFen: owed, kind: month < cycleMonth ? 'arrears' : 'benefit' });
  }
  return due;
}
