import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The embedded engine's element instance history (issue 19: the case page draws the path taken), served as Camunda
 * 8.8's `POST /v2/element-instances/search`. One row per element instance (never for the process itself, nor for
 * sequence flows, as in Camunda): written ACTIVE when the element is activated and set COMPLETED or TERMINATED when it
 * ends, in the same statement as the rest of the command that caused it (src/engine/store.ts). Incidents are joined
 * from engine_incident when read, so raising or resolving one writes nothing here.
 *
 * Instances that were running before this migration have no rows for the elements they had already passed; their
 * elements activated from now on are recorded.
 */
export class EngineElementInstances1765800000000 implements MigrationInterface {
  name = 'EngineElementInstances1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE engine_element_instance (
        element_instance_key   bigint PRIMARY KEY,
        process_instance_key   bigint NOT NULL,
        process_definition_key bigint NOT NULL,
        bpmn_process_id        text NOT NULL,
        element_id             text NOT NULL,
        element_name           text,
        type                   text NOT NULL,
        state                  text NOT NULL CHECK (state IN ('ACTIVE', 'COMPLETED', 'TERMINATED')),
        scope_key              bigint NOT NULL,
        start_date             timestamptz NOT NULL,
        end_date               timestamptz,
        tenant_id              text NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_element_instance_pi_idx ON engine_element_instance (process_instance_key)`);
    // An element's incidents are looked up by its key when element instances are read.
    await q.query(`CREATE INDEX engine_incident_element_idx ON engine_incident (element_instance_key) WHERE state = 'ACTIVE'`);
    // The default privileges of ServiceRoleGrants cover tables its owner creates; granted here too, for a schema
    // migrated by another role.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'doudi_service') THEN
          GRANT SELECT, INSERT, UPDATE, DELETE ON engine_element_instance TO doudi_service;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX engine_incident_element_idx`);
    await q.query(`DROP TABLE engine_element_instance`);
  }
}
