/* `npm run bench:sla`: the supervisors' summary over 100,000 deadline records (target: under 200 ms). */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { SystemClock } from '../src/common/clock';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { DeadlineQueries } from '../src/deadlines/deadline-queries';
import { runBenchmark, withBenchDatabase } from './bench-database';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const RUNS = 20;

async function main(): Promise<void> {
  await withBenchDatabase('doudi_sla', async (databaseUrl) => {
    const dataSource = new DataSource(dataSourceOptions(databaseUrl));
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      // 20 townships of one county, five deadline types; a third met (half of them procedures), a tenth breached.
      await dataSource.query(
        `INSERT INTO deadline (type, subject_type, subject_id, region_code, responsible_group, rule, source, started_at, due_at, met_at, breached_at)
         SELECT (ARRAY['dibao.acceptance','dibao.investigation','dibao.procedure','dibao.refusal-notice','dibao.follow-up'])[1 + n % 5],
                'dibao-case', 'case-' || n, '410821' || lpad((100 + n % 20)::text, 3, '0') || '201', 'township-caseworker', 'bench', 'bench',
                now() - (n % 90) * interval '1 day', now() + (30 - n % 60) * interval '1 day',
                CASE WHEN n % 3 = 0 THEN now() - (n % 40) * interval '1 day' END,
                CASE WHEN n % 10 = 1 THEN now() - interval '1 day' END
         FROM generate_series(1, $1) n`,
        [RECORDS],
      );
      await dataSource.query('ANALYZE deadline');
      const queries = new DeadlineQueries(dataSource, new SystemClock());
      const atRiskShare = loadConfig({ NODE_ENV: 'test' }).SLA_AT_RISK_PERCENT / 100;
      const times: number[] = [];
      let regions = 0;
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        regions = (await queries.summary('410821', atRiskShare)).length;
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(RUNS / 2)]!;
      console.log(`\nSLA summary of a county over ${RECORDS.toLocaleString('en')} deadline records (${regions} townships), ${RUNS} runs:`);
      console.log(`  median ${median.toFixed(1)} ms, fastest ${times[0]!.toFixed(1)} ms, slowest ${times.at(-1)!.toFixed(1)} ms; target < 200 ms → ${median < 200 ? 'met' : 'NOT met'}`);
    } finally {
      await dataSource.destroy();
    }
  });
}

runBenchmark(main);
