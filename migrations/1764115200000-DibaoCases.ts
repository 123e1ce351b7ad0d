import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dibao cases (PROCEDURES.md §1): the case with its household, members, each assessment, decision, notice and
 * objection, the enrolment, the timeline; the statutory deadlines of every procedure; and the county sampling pool.
 * Rows a job worker writes carry the job key, unique, so a job that runs twice writes once.
 */
export class DibaoCases1764115200000 implements MigrationInterface {
  name = 'DibaoCases1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE dibao_case_number_seq`);
    await q.query(`
      CREATE TABLE dibao_case (
        id                   uuid PRIMARY KEY,
        case_number          text NOT NULL UNIQUE,
        region_code          text NOT NULL CHECK (region_code ~ '^[0-9]{12}$'),
        township_code        text NOT NULL CHECK (township_code ~ '^[0-9]{9}$'),
        county_code          text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
        channel              text NOT NULL CHECK (channel IN ('self', 'family', 'entrusted', 'village-committee')),
        request_type         text NOT NULL CHECK (request_type IN ('household', 'single-person')),
        area                 text NOT NULL CHECK (area IN ('urban', 'rural')),
        status               text NOT NULL CHECK (status IN ('applied', 'awaiting-materials', 'accepted', 'in-notice', 'enrolled', 'refused', 'closed')),
        household            jsonb NOT NULL,
        applicant_name       text NOT NULL,
        profile_version_id   text,
        relatives_case       boolean NOT NULL DEFAULT false,
        objection_raised     boolean NOT NULL DEFAULT false,
        benefit_fen          integer CHECK (benefit_fen >= 0),
        applied_at           timestamptz NOT NULL,
        accepted_at          timestamptz,
        decided_at           timestamptz,
        process_instance_key text,
        created_by           text NOT NULL,
        idempotency_key      text,
        UNIQUE (created_by, idempotency_key)
      )`);
    await q.query(`CREATE INDEX dibao_case_region_idx ON dibao_case (region_code text_pattern_ops, status)`);
    await q.query(`
      CREATE TABLE dibao_member (
        case_id         uuid NOT NULL REFERENCES dibao_case ON DELETE CASCADE,
        member_id       text NOT NULL,
        name            text NOT NULL,
        id_number       text NOT NULL,
        age             integer NOT NULL CHECK (age BETWEEN 0 AND 130),
        relation        text NOT NULL,
        disability      jsonb,
        serious_illness boolean NOT NULL,
        in_school       boolean NOT NULL,
        employed        boolean NOT NULL,
        PRIMARY KEY (case_id, member_id)
      )`);
    await q.query(`CREATE INDEX dibao_member_id_number_idx ON dibao_member (id_number)`);
    await q.query(`
      CREATE TABLE dibao_assessment (
        id                 bigserial PRIMARY KEY,
        case_id            uuid NOT NULL REFERENCES dibao_case,
        profile_version_id text NOT NULL,
        outcome            text NOT NULL,
        benefit_fen        integer NOT NULL CHECK (benefit_fen >= 0),
        result             jsonb NOT NULL,
        assessed_at        timestamptz NOT NULL,
        job_key            text NOT NULL UNIQUE
      )`);
    await q.query(`
      CREATE TABLE dibao_decision (
        id          bigserial PRIMARY KEY,
        case_id     uuid NOT NULL REFERENCES dibao_case,
        decision    text NOT NULL CHECK (decision IN ('approve', 'refuse')),
        reasons     text NOT NULL CHECK (length(trim(reasons)) > 0),
        benefit_fen integer NOT NULL CHECK (benefit_fen >= 0),
        decided_at  timestamptz NOT NULL,
        job_key     text NOT NULL UNIQUE
      )`);
    await q.query(`
      CREATE TABLE dibao_notice (
        id        bigserial PRIMARY KEY,
        case_id   uuid NOT NULL REFERENCES dibao_case,
        kind      text NOT NULL CHECK (kind IN ('missing-materials', 'public', 'refusal', 'closure')),
        text      text NOT NULL,
        issued_at timestamptz NOT NULL,
        ends_at   timestamptz,
        job_key   text NOT NULL UNIQUE
      )`);
    await q.query(`
      CREATE TABLE dibao_objection (
        id        bigserial PRIMARY KEY,
        case_id   uuid NOT NULL REFERENCES dibao_case,
        lodged_at timestamptz NOT NULL,
        lodged_by text NOT NULL,
        text      text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE dibao_enrolment (
        case_id     uuid PRIMARY KEY REFERENCES dibao_case,
        benefit_fen integer NOT NULL CHECK (benefit_fen > 0),
        from_month  date NOT NULL,
        enrolled_at timestamptz NOT NULL
      )`);
    // What happened to a case, in order: the timeline the case API shows.
    await q.query(`
      CREATE TABLE dibao_event (
        id       bigserial PRIMARY KEY,
        case_id  uuid NOT NULL REFERENCES dibao_case,
        kind     text NOT NULL,
        at       timestamptz NOT NULL,
        actor_id text NOT NULL,
        details  jsonb NOT NULL DEFAULT '{}'::jsonb,
        job_key  text UNIQUE
      )`);
    await q.query(`CREATE INDEX dibao_event_case_idx ON dibao_event (case_id, at, id)`);
    // One row per statutory deadline of any procedure (issue 6 builds the supervisors' views on it).
    await q.query(`
      CREATE TABLE deadline (
        id                bigserial PRIMARY KEY,
        type              text NOT NULL,
        subject_type      text NOT NULL,
        subject_id        text NOT NULL,
        region_code       text NOT NULL,
        responsible_group text NOT NULL,
        rule              text NOT NULL,
        source            text NOT NULL,
        started_at        timestamptz NOT NULL,
        due_at            timestamptz NOT NULL,
        met_at            timestamptz,
        breached_at       timestamptz,
        escalated_at      timestamptz,
        UNIQUE (subject_type, subject_id, type, started_at)
      )`);
    await q.query(`CREATE INDEX deadline_open_idx ON deadline (due_at) WHERE met_at IS NULL AND breached_at IS NULL`);
    await q.query(`CREATE INDEX deadline_subject_idx ON deadline (subject_type, subject_id)`);
    // Every township decision, approvals and refusals, for the county's sampling (issue 7).
    await q.query(`
      CREATE TABLE sampling_pool_entry (
        subject_type   text NOT NULL,
        subject_id     text NOT NULL,
        decided_at     timestamptz NOT NULL,
        county_code    text NOT NULL,
        township_code  text NOT NULL,
        decision       text NOT NULL,
        relatives_case boolean NOT NULL,
        complaint      boolean NOT NULL,
        PRIMARY KEY (subject_type, subject_id, decided_at)
      )`);
    await q.query(`CREATE INDEX sampling_pool_county_idx ON sampling_pool_entry (county_code, decided_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['sampling_pool_entry', 'deadline', 'dibao_event', 'dibao_enrolment', 'dibao_objection', 'dibao_notice', 'dibao_decision', 'dibao_assessment', 'dibao_member', 'dibao_case']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP SEQUENCE dibao_case_number_seq`);
  }
}
