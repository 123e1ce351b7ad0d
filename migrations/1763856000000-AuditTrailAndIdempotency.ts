import { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only audit trail and the idempotency-key store of creating API calls. */
export class AuditTrailAndIdempotency1763856000000 implements MigrationInterface {
  name = 'AuditTrailAndIdempotency1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_event (
        id            bigserial PRIMARY KEY,
        occurred_at   timestamptz NOT NULL,
        actor_id      text NOT NULL,
        actor_roles   text[] NOT NULL DEFAULT '{}',
        region_code   text NOT NULL CHECK (region_code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$'),
        action        text NOT NULL,
        subject_type  text NOT NULL,
        subject_id    text NOT NULL,
        details       jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id    text
      )`);
    await q.query(`CREATE INDEX audit_event_subject_idx ON audit_event (subject_type, subject_id, occurred_at)`);
    await q.query(`CREATE INDEX audit_event_region_idx ON audit_event (region_code text_pattern_ops, occurred_at)`);
    // The trail cannot be altered: not by the service, not by a careless script.
    await q.query(`
      CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()`);

    await q.query(`
      CREATE TABLE idempotency_key (
        actor_id        text NOT NULL,
        key             text NOT NULL,
        method          text NOT NULL,
        path            text NOT NULL,
        request_hash    text NOT NULL,
        state           text NOT NULL CHECK (state IN ('in_progress', 'completed')),
        response_status integer,
        response_body   jsonb,
        created_at      timestamptz NOT NULL,
        expires_at      timestamptz NOT NULL,
        PRIMARY KEY (actor_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_key_expiry_idx ON idempotency_key (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
    await q.query(`DROP TABLE audit_event`);
    await q.query(`DROP FUNCTION audit_event_refuse_change()`);
  }
}
