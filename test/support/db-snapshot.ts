import { DataSource } from 'typeorm';

const queries = new WeakMap<DataSource, string>();

/**
 * Row counts of every table of the public schema and the last value of every sequence, in one query: a refused
 * request must leave both as they were (no row written, no case number consumed). The query is built once per
 * database from the catalogue (tables are only made by migrations, which ran before).
 */
export async function dbSnapshot(dataSource: DataSource): Promise<Record<string, string>> {
  let sql = queries.get(dataSource);
  if (!sql) {
    // The task index is a copy of the engine's tasks that follows it in the background (a full pass every few
    // minutes, src/tasks/task-index.ts), whatever request is being served: not state a request writes.
    const tables: { name: string }[] = await dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'task_index' ORDER BY 1`,
    );
    sql = [
      ...tables.map(({ name }) => `SELECT 'table ${name}' AS name, count(*)::text AS value FROM public."${name.replace(/"/g, '""')}"`),
      `SELECT 'sequence ' || sequencename, coalesce(last_value::text, 'unused') FROM pg_sequences WHERE schemaname = 'public'`,
    ].join('\nUNION ALL\n');
    queries.set(dataSource, sql);
  }
  const rows: { name: string; value: string }[] = await dataSource.query(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

/** The entries of `after` that differ from `before` (empty when nothing changed). */
export function snapshotChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).map((n) => `${n}: ${before[n]} → ${after[n]}`);
}
