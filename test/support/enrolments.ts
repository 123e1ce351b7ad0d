import type { DataSource } from 'typeorm';

/**
 * Enrolled dibao beneficiaries as the procedure leaves them (case, applicant member, enrolment), written set-based
 * so that tests and the payroll benchmark can have thousands or a million of them. Returns the case ids in order.
 * Benefits vary from 10,000 to 60,000 fen; ID numbers are shaped like real ones (not valid check digits: the
 * payroll copies them, it does not check them).
 */
export async function seedEnrolments(db: DataSource, options: { countyCode: string; count: number; fromMonth: string; prefix?: string }): Promise<string[]> {
  const { countyCode, count, fromMonth } = options;
  const prefix = options.prefix ?? 'P';
  const rows: { id: string }[] = await db.query(
    `WITH n AS (SELECT g, gen_random_uuid() AS id FROM generate_series(1, $2::int) g),
     cases AS (
       INSERT INTO dibao_case (id, case_number, region_code, township_code, county_code, channel, request_type, area, status, household, applicant_name,
                               benefit_fen, applied_at, accepted_at, decided_at, created_by)
       SELECT id, $4 || '-' || $1 || '-' || g, $1 || '100201', $1 || '100', $1, 'self', 'household', 'rural', 'enrolled', '{}'::jsonb, '受助人' || g,
              10000 + (g % 6) * 10000, now(), now(), now(), 'seed'
       FROM n RETURNING id, case_number),
     members AS (
       INSERT INTO dibao_member (case_id, member_id, name, id_number, age, relation, serious_illness, in_school, employed)
       SELECT c.id, 'm1', '受助人' || split_part(c.case_number, '-', 3), $1 || '19600101' || lpad(split_part(c.case_number, '-', 3), 4, '0'), 66, 'applicant', false, false, false
       FROM cases c RETURNING case_id),
     enrolments AS (
       INSERT INTO dibao_enrolment (case_id, benefit_fen, from_month, enrolled_at)
       SELECT n.id, 10000 + (n.g % 6) * 10000, $3::date, now() FROM n RETURNING case_id)
     SELECT n.id::text AS id FROM n ORDER BY n.g`,
    [countyCode, count, fromMonth, prefix],
  );
  return rows.map((r) => r.id);
}

/**
 * An enrolled household of a profile version (no income, no assets), as the procedure leaves it: one member per
 * name (the first the applicant), the benefit `standard x members` from `fromMonth`. Returns the case id.
 */
export async function enrolHousehold(
  db: DataSource,
  options: { caseNumber: string; names: string[]; countyCode: string; profileVersionId: string; standardFen: number; idNumbers: string[]; fromMonth?: string },
): Promise<string> {
  const { caseNumber, names, countyCode: county, profileVersionId, standardFen, idNumbers } = options;
  const village = `${county}100201`;
  const rows: { case_id: string }[] = await db.query(
    `WITH c AS (
       INSERT INTO dibao_case (id, case_number, region_code, township_code, county_code, channel, request_type, area, status, household, applicant_name,
                               profile_version_id, benefit_fen, applied_at, accepted_at, decided_at, created_by)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'self', 'household', 'rural', 'enrolled', '{"incomes":[],"expenditures":[],"assets":{"financialFen":0}}', $5,
               $10, $6, now(), now(), now(), 'test') RETURNING id),
     m AS (INSERT INTO dibao_member (case_id, member_id, name, id_number, age, relation, serious_illness, in_school, employed)
           SELECT c.id, 'm' || i, n, ($7::text[])[i], 70, CASE WHEN i = 1 THEN 'applicant' ELSE 'spouse' END, false, false, false
           FROM c, unnest($8::text[]) WITH ORDINALITY AS u(n, i))
     INSERT INTO dibao_enrolment (case_id, benefit_fen, from_month, enrolled_at) SELECT id, $6, $9::date, now() FROM c RETURNING case_id::text`,
    [caseNumber, village, `${county}100`, county, names[0], standardFen * names.length, idNumbers, names, options.fromMonth ?? '2026-11-01', profileVersionId],
  );
  return rows[0]!.case_id;
}
