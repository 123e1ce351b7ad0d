import type { Pool, PoolClient } from 'pg';
import type { KeySource } from './interpreter';
import type { Effects, Instance, InstanceState } from './state';

/**
 * PostgreSQL persistence of the engine. Each command runs in one transaction that first locks its instance row
 * (`FOR UPDATE`): commands on one instance are serialised, on different instances they run in parallel.
 */

export type Db = Pool | PoolClient;

/** A command needed more keys than were reserved for it: the engine reserves more and runs it again. */
export class KeysExhausted extends Error {}

/** Keys come from a sequence that hands out blocks of 10,000; a crash only leaves a gap. */
export class Keys implements KeySource {
  private next_ = 0n;
  private end = 0n;
  private static readonly BLOCK = 10_000n;

  constructor(private readonly pool: Pool) {}

  /** Makes sure `count` keys can be taken without waiting. */
  async reserve(count = 2_000): Promise<void> {
    while (this.end - this.next_ < BigInt(count)) {
      const { rows } = await this.pool.query<{ start: string }>(`SELECT nextval('engine_key_seq')::text AS start`);
      const start = BigInt(rows[0]!.start);
      if (this.end === start) this.end = start + Keys.BLOCK;
      else {
        this.next_ = start;
        this.end = start + Keys.BLOCK;
      }
    }
  }

  next(): string {
    if (this.next_ >= this.end) throw new KeysExhausted('engine keys exhausted within one command');
    return String(this.next_++);
  }
}

export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection cut between two statements (the server stopping) emits 'error' on the client, which without a
  // listener ends the process; the next statement fails instead, and the dead client is not given back to the pool.
  let lost: Error | undefined;
  const onLost = (error: Error) => {
    lost = error;
  };
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}

interface InstanceRow {
  process_instance_key: string;
  process_definition_key: string;
  bpmn_process_id: string;
  version: number;
  state: Instance['status'];
  has_incident: boolean;
  start_date: Date;
  end_date: Date | null;
  parent_process_instance_key: string | null;
  parent_element_instance_key: string | null;
  tenant_id: string;
  data: InstanceState;
}

export async function lockInstance(client: PoolClient, key: string): Promise<Instance | undefined> {
  const { rows } = await client.query<InstanceRow>(`SELECT * FROM engine_process_instance WHERE process_instance_key = $1 FOR UPDATE`, [key]);
  return toInstance(rows[0]);
}

/** Locks the instance a job or user task belongs to, found and locked in one round trip. */
export async function lockInstanceOf(client: PoolClient, owner: 'engine_job' | 'engine_user_task', key: string): Promise<Instance | undefined> {
  const keyColumn = owner === 'engine_job' ? 'job_key' : 'user_task_key';
  const { rows } = await client.query<InstanceRow>(
    `SELECT * FROM engine_process_instance WHERE process_instance_key = (SELECT process_instance_key FROM ${owner} WHERE ${keyColumn} = $1) FOR UPDATE`,
    [key],
  );
  return toInstance(rows[0]);
}

function toInstance(row: InstanceRow | undefined): Instance | undefined {
  if (!row) return undefined;
  return {
    key: String(row.process_instance_key),
    processDefinitionKey: String(row.process_definition_key),
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    status: row.state,
    tenantId: row.tenant_id,
    startDate: row.start_date,
    endDate: row.end_date ?? undefined,
    parentProcessInstanceKey: row.parent_process_instance_key ?? undefined,
    parentElementInstanceKey: row.parent_element_instance_key ?? undefined,
    hasIncident: row.has_incident,
    state: row.data,
    isNew: false,
  };
}

/** Writes what a command changed: instances, their new wait-state rows, and the clean-up of ended elements. */
export async function persist(client: PoolClient, instances: Iterable<Instance>, effects: Effects, keys: KeySource, now: Date): Promise<void> {
  // Everything goes in one statement of data-modifying CTEs: one round trip, whatever the command touched.
  const statement = new Statement();
  for (const instance of instances) {
    const row = {
      process_instance_key: instance.key,
      process_definition_key: instance.processDefinitionKey,
      bpmn_process_id: instance.bpmnProcessId,
      version: instance.version,
      state: instance.status,
      has_incident: instance.hasIncident,
      start_date: instance.startDate,
      end_date: instance.endDate ?? null,
      parent_process_instance_key: instance.parentProcessInstanceKey ?? null,
      parent_element_instance_key: instance.parentElementInstanceKey ?? null,
      tenant_id: instance.tenantId,
      data: instance.state,
    };
    if (instance.isNew) statement.insert('engine_process_instance', [row]);
    else {
      statement.add(
        `UPDATE engine_process_instance SET state = ${statement.value(instance.status)}, has_incident = ${statement.value(instance.hasIncident)},
           end_date = ${statement.value(instance.endDate ?? null)}::timestamptz, data = ${statement.value(JSON.stringify(instance.state))}::jsonb
         WHERE process_instance_key = ${statement.value(instance.key)}::bigint`,
      );
    }
  }
  const ended = new Set(effects.ended);
  // Rows created and ended within the same command are never written.
  const closed = new Set(effects.closedEvents);
  const alive = <T extends { elementInstanceKey?: string; elementId?: string }>(rows: T[]) =>
    rows.filter((r) => !r.elementInstanceKey || (!ended.has(r.elementInstanceKey) && !closed.has(`${r.elementInstanceKey}/${r.elementId}`)));
  if (closed.size) {
    const list = statement.value([...closed]);
    const pairs = `SELECT split_part(c, '/', 1)::bigint AS key, substr(c, strpos(c, '/') + 1) AS element_id FROM unnest(${list}::text[]) AS c`;
    statement.add(`DELETE FROM engine_timer t USING (${pairs}) closed WHERE t.element_instance_key = closed.key AND t.element_id = closed.element_id`);
    statement.add(`DELETE FROM engine_message_subscription s USING (${pairs}) closed WHERE s.element_instance_key = closed.key AND s.element_id = closed.element_id`);
  }
  if (effects.ended.length) {
    // Jobs, timers and subscriptions of ended elements go; open user tasks are cancelled; open incidents resolved.
    const keys = `(SELECT unnest(${statement.value(effects.ended)}::bigint[]))`;
    statement.add(`DELETE FROM engine_job WHERE element_instance_key IN ${keys}`);
    statement.add(`DELETE FROM engine_timer WHERE element_instance_key IN ${keys}`);
    statement.add(`DELETE FROM engine_message_subscription WHERE element_instance_key IN ${keys}`);
    statement.add(
      `UPDATE engine_user_task SET state = 'CANCELED', completion_date = ${statement.value(now)}::timestamptz WHERE element_instance_key IN ${keys} AND state IN ('CREATED', 'ASSIGNING', 'COMPLETING')`,
    );
    statement.add(`UPDATE engine_incident SET state = 'RESOLVED' WHERE element_instance_key IN ${keys} AND state = 'ACTIVE'`);
  }
  if (effects.resolvedIncidents.length) {
    statement.add(`UPDATE engine_incident SET state = 'RESOLVED' WHERE incident_key = ANY(${statement.value(effects.resolvedIncidents)}::bigint[])`);
  }
  statement.insert(
    'engine_job',
    alive(effects.jobs).map((j) => ({
      job_key: j.jobKey,
      type: j.type,
      process_instance_key: j.processInstanceKey,
      element_instance_key: j.elementInstanceKey,
      element_id: j.elementId,
      process_definition_key: j.processDefinitionKey,
      bpmn_process_id: j.bpmnProcessId,
      version: j.version,
      scope_keys: j.scopeKeys,
      custom_headers: j.customHeaders,
      retries: j.retries,
      tenant_id: j.tenantId,
      kind: j.kind ?? 'BPMN_ELEMENT',
      listener_event_type: j.listenerEventType ?? 'UNSPECIFIED',
      user_task: j.userTask ?? null,
    })),
  );
  statement.insert(
    'engine_user_task',
    alive(effects.userTasks).map((t) => ({
      user_task_key: t.userTaskKey,
      element_id: t.elementId,
      element_instance_key: t.elementInstanceKey,
      process_instance_key: t.processInstanceKey,
      process_definition_key: t.processDefinitionKey,
      bpmn_process_id: t.bpmnProcessId,
      version: t.version,
      process_name: t.processName ?? null,
      name: t.name ?? null,
      state: 'CREATED',
      assignee: t.assignee ?? null,
      candidate_groups: t.candidateGroups,
      candidate_users: t.candidateUsers,
      due_date: t.dueDate ?? null,
      follow_up_date: t.followUpDate ?? null,
      priority: t.priority,
      form_key: t.formKey ?? null,
      external_form_reference: t.externalFormReference ?? null,
      custom_headers: t.customHeaders,
      creation_date: t.creationDate,
      tenant_id: t.tenantId,
    })),
  );
  statement.insert(
    'engine_timer',
    alive(effects.timers).map((t) => ({
      timer_key: t.timerKey,
      due_at: t.dueAt,
      process_definition_key: t.processDefinitionKey,
      process_instance_key: t.processInstanceKey ?? null,
      element_instance_key: t.elementInstanceKey ?? null,
      element_id: t.elementId,
      repetitions: t.repetitions,
      cycle: t.cycle ?? null,
    })),
  );
  statement.insert(
    'engine_message_subscription',
    alive(effects.subscriptions).map((s) => ({
      subscription_key: s.subscriptionKey,
      message_name: s.messageName,
      correlation_key: s.correlationKey ?? null,
      process_definition_key: s.processDefinitionKey,
      process_instance_key: s.processInstanceKey ?? null,
      element_instance_key: s.elementInstanceKey ?? null,
      element_id: s.elementId,
      tenant_id: s.tenantId,
    })),
  );
  statement.insert(
    'engine_incident',
    effects.incidents.map((i) => ({
      incident_key: i.incidentKey,
      process_instance_key: i.processInstanceKey,
      element_instance_key: i.elementInstanceKey,
      element_id: i.elementId,
      process_definition_key: i.processDefinitionKey,
      bpmn_process_id: i.bpmnProcessId,
      error_type: i.errorType,
      error_message: i.errorMessage,
      state: 'ACTIVE',
      job_key: i.jobKey ?? null,
      creation_time: i.creationTime,
      tenant_id: i.tenantId,
    })),
  );
  // Element instance history: one multi-row insert of those activated, one update of earlier ones that ended.
  statement.insert(
    'engine_element_instance',
    [...effects.elementInstances.values()].map((e) => ({
      element_instance_key: e.elementInstanceKey,
      process_instance_key: e.processInstanceKey,
      process_definition_key: e.processDefinitionKey,
      bpmn_process_id: e.bpmnProcessId,
      element_id: e.elementId,
      element_name: e.elementName ?? null,
      type: e.type,
      state: e.state,
      scope_key: e.scopeKey,
      start_date: e.startDate,
      end_date: e.endDate ?? null,
      tenant_id: e.tenantId,
    })),
  );
  if (effects.endedElementInstances.size) {
    // `= ANY(keys)`: a primary-key lookup per key, whatever the planner guesses of the table's size.
    const ended = [...effects.endedElementInstances];
    const terminated = ended.filter(([, state]) => state === 'TERMINATED').map(([key]) => key);
    statement.add(
      `UPDATE engine_element_instance SET end_date = ${statement.value(now)}::timestamptz,
         state = CASE WHEN element_instance_key = ANY(${statement.value(terminated)}::bigint[]) THEN 'TERMINATED' ELSE 'COMPLETED' END
       WHERE element_instance_key = ANY(${statement.value(ended.map(([key]) => key))}::bigint[]) AND state = 'ACTIVE'`,
    );
  }
  const variables = [...effects.variables.values()];
  if (variables.length) {
    statement.add(
      `INSERT INTO engine_variable (variable_key, scope_key, name, value, process_instance_key, tenant_id)
       SELECT * FROM unnest(${statement.value(variables.map(() => keys.next()))}::bigint[], ${statement.value(variables.map((v) => v.scopeKey))}::bigint[],
         ${statement.value(variables.map((v) => v.name))}::text[], ${statement.value(variables.map((v) => JSON.stringify(v.value ?? null)))}::text[],
         ${statement.value(variables.map((v) => v.processInstanceKey))}::bigint[], ${statement.value(variables.map((v) => v.tenantId))}::text[])
       ON CONFLICT (scope_key, name) DO UPDATE SET value = excluded.value`,
    );
  }
  await statement.run(client);
  for (const instance of instances) instance.isNew = false;
}

/**
 * Data-modifying statements joined as CTEs of one statement. They all see the database as it was before it,
 * which is safe here: no two of them touch a row another one writes.
 */
class Statement {
  private readonly parts: string[] = [];
  private readonly values: unknown[] = [];

  value(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  add(sql: string): void {
    this.parts.push(sql);
  }

  /** A multi-row insert through `jsonb_populate_recordset`. */
  insert(table: string, rows: Record<string, unknown>[]): void {
    if (rows.length) this.add(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ${this.value(JSON.stringify(rows))}::jsonb)`);
  }

  async run(client: PoolClient): Promise<void> {
    if (!this.parts.length) return;
    const [last, ...rest] = [...this.parts].reverse();
    const ctes = rest.reverse().map((sql, i) => `s${i} AS (${sql})`);
    await client.query(ctes.length ? `WITH ${ctes.join(',\n')}\n${last}` : last!, this.values);
  }
}
