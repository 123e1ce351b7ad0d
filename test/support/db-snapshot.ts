import { DataSource } from 'typeorm';

/**
 * Row counts of every table of the public schema and the last value of every sequence, in one query: a refused
 * request must leave both as they were (no row written, no case number consumed).
 */
export async function dbSnapshot(dataSource: DataSource): Promise<Record<string, string>> {
  const rows: { name: string; value: string | null }[] = await dataSource.query(`
    SELECT 'table ' || table_name AS name,
           (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', table_name), false, true, '')))[1]::text AS value
      FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    UNION ALL
    SELECT 'sequence ' || sequencename, last_value::text FROM pg_sequences WHERE schemaname = 'public'`);
  return Object.fromEntries(rows.map((r) => [r.name, r.value ?? 'unused']));
}

/** The entries of `after` that differ from `before` (empty when nothing changed). */
export function snapshotChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).map((n) => `${n}: ${before[n]} → ${after[n]}`);
}
