import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * State of the embedded Camunda-compatible engine (src/engine). An instance's token state is one row, loaded and
 * locked to apply a command; jobs, user tasks, timers, subscriptions, incidents and variables are rows of their own
 * so that activation, task lists, the timer scheduler and searches never load instances.
 */
export class EmbeddedEngine1763942400000 implements MigrationInterface {
  name = 'EmbeddedEngine1763942400000';

  async up(q: QueryRunner): Promise<void> {
    // Keys look like Zeebe's (int64, partition 1): 2251799813685249 and up; each nextval reserves a block of 10,000.
    await q.query(`CREATE SEQUENCE engine_key_seq START WITH 2251799813685249 INCREMENT BY 10000`);
    await q.query(`
      CREATE TABLE engine_deployment (
        deployment_key bigint PRIMARY KEY,
        tenant_id      text NOT NULL,
        created_at     timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE engine_process_definition (
        process_definition_key bigint PRIMARY KEY,
        deployment_key         bigint NOT NULL REFERENCES engine_deployment,
        bpmn_process_id        text NOT NULL,
        version                int NOT NULL,
        name                   text,
        resource_name          text NOT NULL,
        checksum               text NOT NULL,
        xml                    text NOT NULL,
        tenant_id              text NOT NULL,
        UNIQUE (tenant_id, bpmn_process_id, version)
      )`);
    await q.query(`
      CREATE TABLE engine_form (
        form_key       bigint PRIMARY KEY,
        deployment_key bigint NOT NULL REFERENCES engine_deployment,
        form_id        text NOT NULL,
        version        int NOT NULL,
        resource_name  text NOT NULL,
        checksum       text NOT NULL,
        schema         text NOT NULL,
        tenant_id      text NOT NULL,
        UNIQUE (tenant_id, form_id, version)
      )`);
    await q.query(`
      CREATE TABLE engine_process_instance (
        process_instance_key        bigint PRIMARY KEY,
        process_definition_key      bigint NOT NULL REFERENCES engine_process_definition,
        bpmn_process_id             text NOT NULL,
        version                     int NOT NULL,
        state                       text NOT NULL CHECK (state IN ('ACTIVE', 'COMPLETED', 'TERMINATED')),
        has_incident                boolean NOT NULL DEFAULT false,
        start_date                  timestamptz NOT NULL,
        end_date                    timestamptz,
        parent_process_instance_key bigint,
        parent_element_instance_key bigint,
        tenant_id                   text NOT NULL,
        data                        jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_pi_state_idx ON engine_process_instance (bpmn_process_id, state)`);
    await q.query(`CREATE INDEX engine_pi_parent_idx ON engine_process_instance (parent_process_instance_key)`);
    await q.query(`
      CREATE TABLE engine_job (
        job_key                bigint PRIMARY KEY,
        type                   text NOT NULL,
        process_instance_key   bigint NOT NULL,
        element_instance_key   bigint NOT NULL,
        element_id             text NOT NULL,
        process_definition_key bigint NOT NULL,
        bpmn_process_id        text NOT NULL,
        version                int NOT NULL,
        scope_keys             bigint[] NOT NULL,
        custom_headers         jsonb NOT NULL,
        retries                int NOT NULL,
        worker                 text,
        deadline               timestamptz,
        retry_at               timestamptz,
        error_message          text,
        tenant_id              text NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_job_type_idx ON engine_job (type, job_key) WHERE retries > 0`);
    await q.query(`CREATE INDEX engine_job_element_idx ON engine_job (element_instance_key)`);
    await q.query(`
      CREATE TABLE engine_user_task (
        user_task_key          bigint PRIMARY KEY,
        element_id             text NOT NULL,
        element_instance_key   bigint NOT NULL,
        process_instance_key   bigint NOT NULL,
        process_definition_key bigint NOT NULL,
        bpmn_process_id        text NOT NULL,
        version                int NOT NULL,
        process_name           text,
        name                   text,
        state                  text NOT NULL CHECK (state IN ('CREATED', 'COMPLETED', 'CANCELED')),
        assignee               text,
        candidate_groups       text[] NOT NULL DEFAULT '{}',
        candidate_users        text[] NOT NULL DEFAULT '{}',
        due_date               timestamptz,
        follow_up_date         timestamptz,
        priority               int NOT NULL DEFAULT 50,
        form_key               bigint,
        external_form_reference text,
        custom_headers         jsonb NOT NULL DEFAULT '{}'::jsonb,
        creation_date          timestamptz NOT NULL,
        completion_date        timestamptz,
        tenant_id              text NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_user_task_state_idx ON engine_user_task (state, user_task_key)`);
    await q.query(`CREATE INDEX engine_user_task_pi_idx ON engine_user_task (process_instance_key)`);
    await q.query(`CREATE INDEX engine_user_task_element_idx ON engine_user_task (element_instance_key)`);
    await q.query(`CREATE INDEX engine_user_task_groups_idx ON engine_user_task USING gin (candidate_groups)`);
    await q.query(`
      CREATE TABLE engine_timer (
        timer_key              bigint PRIMARY KEY,
        due_at                 timestamptz NOT NULL,
        process_definition_key bigint NOT NULL,
        process_instance_key   bigint,
        element_instance_key   bigint,
        element_id             text NOT NULL,
        repetitions            int NOT NULL DEFAULT 1,
        cycle                  text
      )`);
    await q.query(`CREATE INDEX engine_timer_due_idx ON engine_timer (due_at)`);
    await q.query(`CREATE INDEX engine_timer_element_idx ON engine_timer (element_instance_key)`);
    await q.query(`
      CREATE TABLE engine_message_subscription (
        subscription_key       bigint PRIMARY KEY,
        message_name           text NOT NULL,
        correlation_key        text,
        process_definition_key bigint NOT NULL,
        process_instance_key   bigint,
        element_instance_key   bigint,
        element_id             text NOT NULL,
        tenant_id              text NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_msub_name_idx ON engine_message_subscription (tenant_id, message_name, correlation_key)`);
    await q.query(`CREATE INDEX engine_msub_element_idx ON engine_message_subscription (element_instance_key)`);
    await q.query(`
      CREATE TABLE engine_message (
        message_key     bigint PRIMARY KEY,
        name            text NOT NULL,
        correlation_key text NOT NULL,
        message_id      text,
        variables       jsonb NOT NULL,
        expires_at      timestamptz NOT NULL,
        tenant_id       text NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_message_name_idx ON engine_message (tenant_id, name, correlation_key)`);
    await q.query(`CREATE UNIQUE INDEX engine_message_id_idx ON engine_message (tenant_id, name, message_id) WHERE message_id IS NOT NULL`);
    // Which process definitions a buffered message already started or reached: a message is correlated once per process.
    await q.query(`
      CREATE TABLE engine_message_correlation (
        message_key     bigint NOT NULL REFERENCES engine_message ON DELETE CASCADE,
        bpmn_process_id text NOT NULL,
        PRIMARY KEY (message_key, bpmn_process_id)
      )`);
    await q.query(`
      CREATE TABLE engine_incident (
        incident_key           bigint PRIMARY KEY,
        process_instance_key   bigint NOT NULL,
        element_instance_key   bigint NOT NULL,
        element_id             text NOT NULL,
        process_definition_key bigint NOT NULL,
        bpmn_process_id        text NOT NULL,
        error_type             text NOT NULL,
        error_message          text NOT NULL,
        state                  text NOT NULL CHECK (state IN ('ACTIVE', 'RESOLVED')),
        job_key                bigint,
        creation_time          timestamptz NOT NULL,
        tenant_id              text NOT NULL
      )`);
    await q.query(`CREATE INDEX engine_incident_pi_idx ON engine_incident (process_instance_key)`);
    await q.query(`CREATE INDEX engine_incident_state_idx ON engine_incident (state, incident_key)`);
    await q.query(`
      CREATE TABLE engine_variable (
        variable_key         bigint PRIMARY KEY,
        scope_key            bigint NOT NULL,
        name                 text NOT NULL,
        value                text NOT NULL,
        process_instance_key bigint NOT NULL,
        tenant_id            text NOT NULL,
        UNIQUE (scope_key, name)
      )`);
    await q.query(`CREATE INDEX engine_variable_pi_idx ON engine_variable (process_instance_key)`);
    // The engine's own clock: a pinned instant survives a restart like the rest of the state.
    await q.query(`CREATE TABLE engine_clock (id int PRIMARY KEY CHECK (id = 1), pinned_at timestamptz)`);
    await q.query(`INSERT INTO engine_clock (id, pinned_at) VALUES (1, NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'engine_clock',
      'engine_variable',
      'engine_incident',
      'engine_message_correlation',
      'engine_message',
      'engine_message_subscription',
      'engine_timer',
      'engine_user_task',
      'engine_job',
      'engine_process_instance',
      'engine_form',
      'engine_process_definition',
      'engine_deployment',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP SEQUENCE engine_key_seq`);
  }
}
