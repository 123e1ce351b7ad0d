import { Writable } from 'node:stream';
import type { PayrollService } from '../../src/payments/payroll.service';

/** A cycle's bank file as written for the bank: its checked totals and its lines (header first). */
export async function bankFile(payroll: PayrollService, cycleId: string) {
  let text = '';
  const totals = await payroll.writeBankFile(cycleId, new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) }));
  return { totals, lines: text.trim().split('\n') };
}
