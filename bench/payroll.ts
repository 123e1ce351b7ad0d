/*
 * `npm run bench:payroll`: the payroll lines and the bank file of one county-month for 1,000,000 beneficiaries,
 * beside a raw COPY of the same rows into the same database (target: ≤ 30 s and ≤ 3x the COPY).
 */
import 'reflect-metadata';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { PayrollService } from '../src/payments/payroll.service';
import { HolidayCalendar } from '../src/policy/holiday-calendar';
import { PolicyProfiles } from '../src/policy/policy-profiles';
import { seedEnrolments } from '../test/support/enrolments';
import { runBenchmark, withBenchDatabase } from './bench-database';

const BENEFICIARIES = Number(process.env.BENCH_BENEFICIARIES ?? 1_000_000);
const COUNTY = '410821';
/** Beneficiaries approved after September's cycle was generated: October's cycle pays them September as arrears. */
const LATE = Math.round(BENEFICIARIES / 20);
const COLUMNS = 'cycle_id, case_id, benefit_month, attempt, payee_name, payee_id_number, amount_fen';

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

async function main(): Promise<void> {
  await withBenchDatabase('doudi_payroll', async (databaseUrl) => {
    const dataSource = new DataSource(dataSourceOptions(databaseUrl));
    await dataSource.initialize();
    const dir = mkdtempSync(join(tmpdir(), 'doudi-payroll-'));
    const runner = dataSource.createQueryRunner();
    try {
      await dataSource.runMigrations();
      const [, seeding] = await timed(async () => {
        await seedEnrolments(dataSource, { countyCode: COUNTY, count: BENEFICIARIES - LATE, fromMonth: '2026-10-01' });
        await seedEnrolments(dataSource, { countyCode: COUNTY, count: LATE, fromMonth: '2026-09-01', prefix: 'L' });
      });
      await dataSource.query('ANALYZE');
      const payroll = new PayrollService(dataSource, PolicyProfiles.load(), HolidayCalendar.load());
      const cycle = await payroll.openCycle(COUNTY, '2026-10', new Date());

      const [totals, generating] = await timed(() => payroll.generate(cycle.id));
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done();
        },
      });
      const [, writingFile] = await timed(() => payroll.writeBankFile(cycle.id, sink));

      // The yardstick: the same rows, already in a file, COPY'd into a table of the same shape and indexes.
      const client = (await runner.connect()) as PoolClient;
      const rowsFile = join(dir, 'rows.csv');
      await pipeline(client.query(copyTo(`COPY (SELECT ${COLUMNS} FROM payroll_line WHERE cycle_id = '${cycle.id}') TO STDOUT WITH (FORMAT csv)`)), createWriteStream(rowsFile));
      await client.query('CREATE TABLE payroll_line_copy (LIKE payroll_line INCLUDING ALL)');
      const [, copying] = await timed(() => pipeline(createReadStream(rowsFile), client.query(copyFrom(`COPY payroll_line_copy (${COLUMNS}) FROM STDIN WITH (FORMAT csv)`))));

      const ours = generating + writingFile;
      const ratio = ours / copying;
      console.log(`\nPayroll of one county-month, ${BENEFICIARIES.toLocaleString('en')} beneficiaries, ${LATE.toLocaleString('en')} of them also owed September as arrears (seeded in ${seeding.toFixed(1)} s):`);
      console.log(`  payroll lines generated (set-based SQL, totals checked): ${generating.toFixed(2)} s — ${totals.lineCount.toLocaleString('en')} lines, ${(totals.totalFen / 100).toLocaleString('en')} yuan`);
      console.log(`  bank file streamed by COPY: ${writingFile.toFixed(2)} s — ${(bytes / 1e6).toFixed(1)} MB`);
      console.log(`  together: ${ours.toFixed(2)} s; raw COPY of the same ${totals.lineCount.toLocaleString('en')} rows (${(statSync(rowsFile).size / 1e6).toFixed(1)} MB) into the same database: ${copying.toFixed(2)} s`);
      console.log(`  ratio ${ratio.toFixed(2)}x; targets ≤ 30 s → ${ours <= 30 ? 'met' : 'NOT met'}, ≤ 3x the COPY → ${ratio <= 3 ? 'met' : 'NOT met'}`);
    } finally {
      await runner.release();
      rmSync(dir, { recursive: true, force: true });
      await dataSource.destroy();
    }
  });
}

runBenchmark(main);
