import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Least privilege (issue 17): the service connects as a member of the group role `doudi_service`
 * (src/database/roles.ts SERVICE_GROUP; a fixed name because this SQL cannot know each deployment's login name),
 * which owns nothing and gets only rows: SELECT, INSERT, UPDATE, DELETE on the tables, USAGE on the sequences — on the
 * audit trail only INSERT and SELECT, on the migrations' record only SELECT. No TRUNCATE, REFERENCES or TRIGGER, and
 * not being the owner it can neither alter nor drop triggers. Run by the owner, which the default privileges name:
 * tables later migrations create get the same grants (an append-only one revokes in its own migration).
 * Where the group does not exist (a single-role database, see README) there is nothing to grant to: a notice, no
 * failure; README gives the same grants to run once the group is created.
 */
export class ServiceRoleGrants1765600000000 implements MigrationInterface {
  name = 'ServiceRoleGrants1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doudi_service') THEN
          RAISE NOTICE 'role doudi_service does not exist: no grants (one role for migrations and service)';
          RETURN;
        END IF;
        GRANT USAGE ON SCHEMA public TO doudi_service;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO doudi_service;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO doudi_service;
        REVOKE UPDATE, DELETE ON audit_event FROM doudi_service;
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM doudi_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO doudi_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO doudi_service;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doudi_service') THEN RETURN; END IF;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE ON SEQUENCES FROM doudi_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM doudi_service;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM doudi_service;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM doudi_service;
        REVOKE USAGE ON SCHEMA public FROM doudi_service;
      END $$`);
  }
}
