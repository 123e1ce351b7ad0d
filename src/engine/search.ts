/**
 * Camunda's search requests (`filter`, `sort`, `page`) turned into SQL over one table. Filter values are either a
 * plain value (equality) or an advanced filter: `$eq $neq $in $notIn $exists $like $gt $gte $lt $lte`.
 */

export interface SearchRequest {
  filter?: Record<string, unknown>;
  sort?: { field: string; order?: 'ASC' | 'DESC' | 'asc' | 'desc' }[];
  page?: { from?: number; limit?: number };
}

export interface Column {
  column: string;
  /** Array columns (candidate groups) match when they contain the value. */
  array?: boolean;
}

export class SearchError extends Error {}

const OPERATORS: Record<string, string> = { $eq: '=', $neq: '<>', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

export function buildSearch(
  table: string,
  columns: Record<string, Column | string>,
  request: SearchRequest,
  defaultSort: string,
  fixed: string[] = [],
): { text: string; countText: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = [...fixed];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  for (const [field, condition] of Object.entries(request.filter ?? {})) {
    if (condition === undefined || condition === null) continue;
    const spec = columns[field];
    if (!spec) throw new SearchError(`filter field "${field}" is not supported by the embedded engine`);
    const { column, array } = typeof spec === 'string' ? { column: spec, array: false } : spec;
    const advanced = typeof condition === 'object' && !Array.isArray(condition) ? (condition as Record<string, unknown>) : { $eq: condition };
    for (const [operator, operand] of Object.entries(advanced)) {
      if (array && operator === '$eq') where.push(`${param(String(operand))} = ANY(${column})`);
      else if (array && operator === '$in') where.push(`${column} && ${param((operand as unknown[]).map(String))}::text[]`);
      else if (OPERATORS[operator]) where.push(`${column} ${OPERATORS[operator]} ${param(operand)}`);
      else if (operator === '$in') where.push(`${column}::text = ANY(${param((operand as unknown[]).map(String))}::text[])`);
      else if (operator === '$notIn') where.push(`NOT (${column}::text = ANY(${param((operand as unknown[]).map(String))}::text[]))`);
      else if (operator === '$exists') where.push(operand ? `${column} IS NOT NULL` : `${column} IS NULL`);
      else if (operator === '$like') where.push(`${column}::text LIKE ${param(String(operand).replace(/\*/g, '%').replace(/\?/g, '_'))}`);
      else throw new SearchError(`filter operator "${operator}" on "${field}" is not supported`);
    }
  }
  const order = (request.sort ?? []).map((s) => {
    const spec = columns[s.field];
    if (!spec) throw new SearchError(`sort field "${s.field}" is not supported by the embedded engine`);
    const column = typeof spec === 'string' ? spec : spec.column;
    return `${column} ${String(s.order ?? 'ASC').toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}`;
  });
  order.push(`${defaultSort} ASC`);
  const limit = Math.min(Math.max(request.page?.limit ?? 100, 0), 10_000);
  const from = Math.max(request.page?.from ?? 0, 0);
  const whereText = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return {
    text: `SELECT * FROM ${table} ${whereText} ORDER BY ${order.join(', ')} LIMIT ${limit} OFFSET ${from}`,
    countText: `SELECT count(*)::int AS total FROM ${table} ${whereText}`,
    values,
  };
}
