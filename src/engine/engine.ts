import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { elementTypeOf, Interpreter, ProcessError, Txn, type Definition, type DefinitionLookup } from './interpreter';
import { compileBpmn, UnsupportedModelError, type TaskListener, type TaskListenerEvent } from './model';
import { buildSearch, SearchError, type Column, type SearchRequest } from './search';
import type { ElementInstance, Instance, InstanceState } from './state';
import { Keys, KeysExhausted, lockInstance, lockInstanceOf, persist, transaction } from './store';
import { nextOfCycle, scheduleTimer } from './timer-schedule';

/**
 * The embedded engine's commands and queries, shaped after the Camunda 8.8 REST API (`/v2`) that `http.ts` serves.
 * State lives in PostgreSQL; a command loads the instances it touches, runs the interpreter and commits before it
 * answers. Timers, job locks and back-offs run on the engine's own clock, which tests may pin.
 */

export class EngineError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 500 | 503 | 504,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string) => new EngineError(404, 'NOT_FOUND', what);
const invalid = (message: string) => new EngineError(400, 'INVALID_ARGUMENT', message);
const duplicateMessage = (messageId: string) =>
  new EngineError(409, 'ALREADY_EXISTS', `Expected to publish a new message with id '${messageId}', but a message with that id was already published`);

export interface DeployResource {
  name: string;
  content: Buffer;
}

type Vars = Record<string, unknown>;

export interface EngineOptions {
  /** How often (real time) the scheduler looks for due timers and expired locks. */
  tickMs?: number;
  /** How long an assignment or completion waits for its task listeners before answering 504 (the transition goes on). */
  listenerTimeoutMs?: number;
}

/** A job's `result` (Camunda 8.8 JobResult, type userTask). */
export interface JobResult {
  type?: string;
  denied?: boolean | null;
  deniedReason?: string | null;
  corrections?: Record<string, unknown> | null;
}

/** What a user task in ASSIGNING / COMPLETING carries until its last listener accepts (`engine_user_task.transition`). */
interface Transition {
  event: TaskListenerEvent;
  /** The listener whose job is open. */
  index: number;
  action: 'assign' | 'unassign' | 'complete';
  assignee?: string | null;
  variables?: Vars;
  corrections: Corrections;
}

interface Corrections {
  assignee?: string;
  dueDate?: string;
  followUpDate?: string;
  candidateUsers?: string[];
  candidateGroups?: string[];
  priority?: number;
}

/**
 * Camunda 8.8 (JobResultCorrections): these attributes can be corrected, others are ignored; null or absent keeps the
 * value, an empty string or list clears it; priority is 0–100.
 */
function corrections(raw: Record<string, unknown> | null | undefined): Corrections {
  const out: Corrections = {};
  if (!raw) return out;
  for (const name of ['assignee', 'dueDate', 'followUpDate'] as const) {
    const value = raw[name];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw invalid(`corrections.${name} must be a string`);
    if (value && name !== 'assignee' && Number.isNaN(Date.parse(value))) throw invalid(`corrections.${name} '${value}' is not an ISO 8601 date-time`);
    out[name] = value;
  }
  for (const name of ['candidateUsers', 'candidateGroups'] as const) {
    const value = raw[name];
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`corrections.${name} must be a list of strings`);
    out[name] = value as string[];
  }
  const priority = raw.priority;
  if (priority !== null && priority !== undefined) {
    if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > 100) {
      throw invalid(`corrections.priority must be an integer between 0 and 100, was '${String(priority)}'`);
    }
    out.priority = priority as number;
  }
  return out;
}

/** The task as the next listener sees it and as the transition leaves it: the new assignee, then the corrections. */
function taskAsSeen(task: Record<string, unknown>, transition: Transition) {
  const c = transition.corrections;
  let assignee = (task.assignee as string | null) ?? null;
  if (transition.event === 'assigning') assignee = transition.assignee ?? null;
  if (c.assignee !== undefined) assignee = c.assignee || null;
  const date = (value: unknown) => (value instanceof Date ? value.toISOString() : value ? String(value) : null);
  return {
    assignee,
    candidateGroups: c.candidateGroups ?? ((task.candidate_groups as string[] | null) ?? []),
    candidateUsers: c.candidateUsers ?? ((task.candidate_users as string[] | null) ?? []),
    dueDate: c.dueDate !== undefined ? c.dueDate || null : date(task.due_date),
    followUpDate: c.followUpDate !== undefined ? c.followUpDate || null : date(task.follow_up_date),
    priority: c.priority ?? Number(task.priority),
  };
}

export class Engine {
  private readonly keys: Keys;
  private readonly definitions = new DefinitionCache();
  private readonly events = new EventEmitter();
  /** Work a command leaves for after its commit (a message-started instance ended: the next buffered message starts one). */
  private readonly afterCommit = new WeakMap<Txn, (() => Promise<void>)[]>();
  private pinnedAt: Date | undefined;
  private ticker?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private sweepAgain?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: EngineOptions = {},
  ) {
    this.keys = new Keys(pool);
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ pinned_at: Date | null }>(`SELECT pinned_at FROM engine_clock WHERE id = 1`);
    this.pinnedAt = rows[0]?.pinned_at ?? undefined;
    const definitions = await this.pool.query(
      `SELECT d.process_definition_key, d.deployment_key, d.bpmn_process_id, d.version, d.name, d.xml, d.tenant_id FROM engine_process_definition d ORDER BY d.process_definition_key`,
    );
    for (const row of definitions.rows) {
      await this.definitions.add(row, await this.formKeysOf(this.pool, row.deployment_key, row.tenant_id));
    }
    const forms = await this.pool.query(`SELECT DISTINCT ON (tenant_id, form_id) tenant_id, form_id, form_key::text FROM engine_form ORDER BY tenant_id, form_id, version DESC`);
    for (const row of forms.rows) this.definitions.setLatestForm(row.form_id, row.tenant_id, row.form_key);
    await this.keys.reserve();
    await this.recordRunningElements();
    // Timers that fell due while the engine was down fire now, in due order.
    await this.sweep();
    this.ticker = setInterval(() => void this.sweep().catch(() => undefined), this.options.tickMs ?? 250);
    this.ticker.unref();
  }

  /**
   * Stops the timer sweep and wakes the long polls. The sweep in flight is awaited before the caller closes the pool;
   * it may fail on a database that goes away with us (Ctrl-C reaches PostgreSQL too): that is no error of the stop.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    this.events.emit('stop');
    await Promise.allSettled([this.sweeping, this.sweepAgain]);
  }

  /**
   * Instances running since before element instances were recorded (migration EngineElementInstances) have no
   * history rows: the elements they are at now get theirs, dated at the instance's start; the path before is unknown.
   * Every instance started since has rows (its start event at least), so later starts find nothing to do.
   */
  private async recordRunningElements(): Promise<void> {
    await transaction(this.pool, async (client) => {
      const { rows } = await client.query<{ process_instance_key: string; process_definition_key: string; bpmn_process_id: string; start_date: Date; tenant_id: string; data: InstanceState }>(
        `SELECT process_instance_key::text, process_definition_key::text, bpmn_process_id, start_date, tenant_id, data FROM engine_process_instance p
         WHERE state = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM engine_element_instance e WHERE e.process_instance_key = p.process_instance_key)
         FOR UPDATE`,
      );
      const records = rows.flatMap((row) => {
        const model = this.definitions.byKey(row.process_definition_key)?.model;
        return Object.values(row.data.elements)
          .filter((element: ElementInstance) => element.key !== row.process_instance_key)
          .map((element: ElementInstance) => {
            const node = model?.nodes.get(element.elementId);
            return {
              element_instance_key: element.key,
              process_instance_key: row.process_instance_key,
              process_definition_key: row.process_definition_key,
              bpmn_process_id: row.bpmn_process_id,
              element_id: element.elementId,
              element_name: node?.name ?? null,
              type: element.mi ? 'MULTI_INSTANCE_BODY' : node ? elementTypeOf(node) : 'UNKNOWN',
              state: 'ACTIVE',
              scope_key: element.scopeKey || row.process_instance_key,
              start_date: row.start_date,
              end_date: null,
              tenant_id: row.tenant_id,
            };
          });
      });
      if (!records.length) return;
      await client.query(
        `INSERT INTO engine_element_instance SELECT * FROM jsonb_populate_recordset(NULL::engine_element_instance, $1::jsonb) ON CONFLICT DO NOTHING`,
        [JSON.stringify(records)],
      );
    });
  }

  // ---------------------------------------------------------------- clock

  now(): Date {
    return this.pinnedAt ?? new Date();
  }

  /** Pins the clock; every timer now due fires before this returns. */
  async pinClock(timestamp: number): Promise<void> {
    if (!Number.isFinite(timestamp)) throw invalid('timestamp must be epoch milliseconds');
    this.pinnedAt = new Date(timestamp);
    await this.pool.query(`UPDATE engine_clock SET pinned_at = $1 WHERE id = 1`, [this.pinnedAt]);
    await this.sweep();
  }

  async resetClock(): Promise<void> {
    this.pinnedAt = undefined;
    await this.pool.query(`UPDATE engine_clock SET pinned_at = NULL WHERE id = 1`);
    await this.sweep();
  }

  // ---------------------------------------------------------------- deployments

  async deploy(resources: DeployResource[], tenantId: string) {
    if (!resources.length) throw invalid('no resources given');
    const compiled: { name: string; xml: string; checksum: string; models: Awaited<ReturnType<typeof compileBpmn>> }[] = [];
    const forms: { name: string; id: string; schema: string; checksum: string }[] = [];
    for (const resource of resources) {
      const text = resource.content.toString('utf8');
      const checksum = createHash('sha256').update(resource.content).digest('hex');
      if (resource.name.endsWith('.bpmn') || resource.name.endsWith('.xml')) {
        try {
          compiled.push({ name: resource.name, xml: text, checksum, models: await compileBpmn(text) });
        } catch (error) {
          if (error instanceof UnsupportedModelError) throw invalid(`'${resource.name}': ${error.message}`);
          throw error;
        }
      } else if (resource.name.endsWith('.form')) {
        let schema: { id?: unknown };
        try {
          schema = JSON.parse(text) as { id?: unknown };
        } catch {
          throw invalid(`'${resource.name}' is not valid JSON`);
        }
        if (typeof schema.id !== 'string' || !schema.id) throw invalid(`'${resource.name}' has no form id`);
        forms.push({ name: resource.name, id: schema.id, schema: text, checksum });
      } else {
        throw invalid(`'${resource.name}': only .bpmn and .form resources are supported by the embedded engine`);
      }
    }
    await this.keys.reserve();
    const result = await transaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('engine_deployment'))`);
      const deploymentKey = this.keys.next();
      await client.query(`INSERT INTO engine_deployment (deployment_key, tenant_id, created_at) VALUES ($1, $2, $3)`, [deploymentKey, tenantId, this.now()]);
      const deployments: Record<string, unknown>[] = [];
      for (const form of forms) {
        const { key: formKey, version, changed } = await this.versionOf(client, 'engine_form', 'form_key', 'form_id', tenantId, form.id, form.checksum);
        if (changed) {
          await client.query(
            `INSERT INTO engine_form (form_key, deployment_key, form_id, version, resource_name, checksum, schema, tenant_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
            [formKey, deploymentKey, form.id, version, form.name, form.checksum, form.schema, tenantId],
          );
        }
        deployments.push({ form: { formId: form.id, version, resourceName: form.name, tenantId, formKey: String(formKey) } });
      }
      const added: [Record<string, unknown>, Map<string, string>][] = [];
      for (const resource of compiled) {
        for (const model of resource.models) {
          const { key, version, changed, previousKey } = await this.versionOf(
            client,
            'engine_process_definition',
            'process_definition_key',
            'bpmn_process_id',
            tenantId,
            model.id,
            resource.checksum,
          );
          if (changed) {
            const row = {
              process_definition_key: key,
              deployment_key: deploymentKey,
              bpmn_process_id: model.id,
              version,
              name: model.name ?? null,
              xml: resource.xml,
              tenant_id: tenantId,
            };
            await client.query(
              `INSERT INTO engine_process_definition (process_definition_key, deployment_key, bpmn_process_id, version, name, resource_name, checksum, xml, tenant_id)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
              [key, deploymentKey, model.id, version, model.name ?? null, resource.name, resource.checksum, resource.xml, tenantId],
            );
            // As in Zeebe, a linked form need not exist yet: a task created without it gets a FORM_NOT_FOUND incident.
            added.push([row, await this.formKeysOf(client, deploymentKey, tenantId)]);
            await this.replaceStartSubscriptions(client, model, key, previousKey, tenantId);
          }
          deployments.push({
            processDefinition: { processDefinitionId: model.id, processDefinitionVersion: version, resourceName: resource.name, tenantId, processDefinitionKey: String(key) },
          });
        }
      }
      return { deploymentKey, deployments, added };
    });
    for (const [row, formKeys] of result.added) await this.definitions.add(row, formKeys);
    for (const { form } of result.deployments as { form?: { formId: string; formKey: string } }[]) {
      if (form) this.definitions.setLatestForm(form.formId, tenantId, form.formKey);
    }
    return { tenantId, deploymentKey: result.deploymentKey, deployments: result.deployments };
  }

  /** As in Zeebe, an unchanged resource keeps its key and version; a changed one gets the next version and a new key. */
  private async versionOf(client: PoolClient, table: string, keyColumn: string, idColumn: string, tenantId: string, id: string, checksum: string) {
    const { rows } = await client.query(
      `SELECT ${keyColumn}::text AS key, version, checksum FROM ${table} WHERE tenant_id = $1 AND ${idColumn} = $2 ORDER BY version DESC LIMIT 1`,
      [tenantId, id],
    );
    const previous = rows[0] as { key: string; version: number; checksum: string } | undefined;
    if (previous && previous.checksum === checksum) return { key: previous.key, version: previous.version, changed: false, previousKey: previous.key };
    return { key: this.keys.next(), version: (previous?.version ?? 0) + 1, changed: true, previousKey: previous?.key };
  }

  /** Forms a process of this deployment links to: the deployment's own, else the latest version. */
  private async formKeysOf(db: Pool | PoolClient, deploymentKey: string, tenantId: string): Promise<Map<string, string>> {
    const { rows } = await db.query<{ form_id: string; form_key: string }>(
      `SELECT DISTINCT ON (form_id) form_id, form_key::text FROM engine_form WHERE tenant_id = $2
       ORDER BY form_id, (deployment_key = $1) DESC, version DESC`,
      [deploymentKey, tenantId],
    );
    return new Map(rows.map((r) => [r.form_id, r.form_key]));
  }

  /** Timer and message start events belong to the latest version only. */
  private async replaceStartSubscriptions(client: PoolClient, model: Definition['model'], key: string, previousKey: string | undefined, tenantId: string) {
    if (previousKey) {
      await client.query(`DELETE FROM engine_timer WHERE process_definition_key = $1 AND process_instance_key IS NULL`, [previousKey]);
      await client.query(`DELETE FROM engine_message_subscription WHERE process_definition_key = $1 AND process_instance_key IS NULL`, [previousKey]);
    }
    const now = this.now();
    for (const start of model.timerStarts) {
      const schedule = scheduleTimer(start.timer!, start.timer!.expression.replace(/^=/, ''), now);
      await client.query(
        `INSERT INTO engine_timer (timer_key, due_at, process_definition_key, element_id, repetitions, cycle) VALUES ($1,$2,$3,$4,$5,$6)`,
        [this.keys.next(), schedule.dueAt, key, start.id, schedule.repetitions, schedule.cycle ?? null],
      );
    }
    for (const start of model.messageStarts) {
      await client.query(
        `INSERT INTO engine_message_subscription (subscription_key, message_name, process_definition_key, element_id, tenant_id) VALUES ($1,$2,$3,$4,$5)`,
        [this.keys.next(), start.message!.name, key, start.id, tenantId],
      );
    }
  }

  // ---------------------------------------------------------------- process instances

  async createProcessInstance(request: {
    processDefinitionId?: string;
    processDefinitionKey?: string;
    processDefinitionVersion?: number;
    variables?: Vars;
    tenantId: string;
    awaitCompletion?: boolean;
    fetchVariables?: string[];
    requestTimeout?: number;
  }) {
    const definition = request.processDefinitionKey
      ? this.definitions.byKey(request.processDefinitionKey)
      : this.definitions.version(request.processDefinitionId ?? '', request.tenantId, request.processDefinitionVersion ?? -1);
    if (!definition) {
      throw notFound(
        request.processDefinitionKey
          ? `Expected to find process definition with key '${request.processDefinitionKey}', but none found`
          : `Expected to find process definition with process ID '${request.processDefinitionId}', but none found`,
      );
    }
    if (!definition.model.nodes.get(definition.model.id)!.startEventId) {
      throw invalid(`process '${definition.bpmnProcessId}' has no none start event`);
    }
    const completion = request.awaitCompletion ? this.completionOf() : undefined;
    const instance = await this.run(async (tx) => {
      const created = new Interpreter(tx).createInstance(definition, request.variables ?? {});
      completion?.watch(created.key);
      return created;
    });
    const result = {
      processDefinitionId: definition.bpmnProcessId,
      processDefinitionVersion: definition.version,
      tenantId: definition.tenantId,
      processDefinitionKey: definition.key,
      processInstanceKey: instance.key,
      variables: {} as Vars,
    };
    if (!completion) return result;
    const variables = await completion.wait(instance, request.requestTimeout || 20_000);
    const wanted = request.fetchVariables?.length ? new Set(request.fetchVariables) : undefined;
    result.variables = Object.fromEntries(Object.entries(variables).filter(([name]) => !wanted || wanted.has(name)));
    return result;
  }

  /** Resolves with an instance's final variables when it completes (or rejects at the timeout). */
  private completionOf() {
    let key = '';
    let done: ((variables: Vars) => void) | undefined;
    let early: Vars | undefined;
    const listener = (completedKey: string, variables: Vars) => {
      if (completedKey !== key) return;
      if (done) done(variables);
      else early = variables;
    };
    this.events.on('completed', listener);
    return {
      watch: (instanceKey: string) => {
        key = instanceKey;
      },
      wait: (instance: Instance, timeoutMs: number) =>
        new Promise<Vars>((resolve, reject) => {
          const finish = () => {
            clearTimeout(timer);
            this.events.off('completed', listener);
          };
          const timer = setTimeout(() => {
            finish();
            reject(new EngineError(504, 'DEADLINE_EXCEEDED', `process instance ${instance.key} did not complete within ${timeoutMs} ms`));
          }, timeoutMs);
          done = (variables) => {
            finish();
            resolve(variables);
          };
          if (early) done(early);
          else if (instance.status === 'COMPLETED') done(instance.state.variables[instance.key] ?? {});
        }),
    };
  }

  async cancelProcessInstance(key: string): Promise<void> {
    await this.onInstance(key, (interpreter, instance) => {
      if (instance.status !== 'ACTIVE') throw notFound(`Expected to cancel a process instance with key '${key}', but no such process instance was found`);
      if (instance.parentProcessInstanceKey) throw new EngineError(409, 'INVALID_STATE', `process instance ${key} was created by a call activity; cancel its root instead`);
      interpreter.cancel(instance);
    });
  }

  async getProcessInstance(key: string) {
    const { rows } = await this.pool.query(`SELECT * FROM engine_process_instance WHERE process_instance_key = $1`, [key]);
    if (!rows[0]) throw notFound(`Process instance with key '${key}' not found`);
    return this.instanceResult(rows[0]);
  }

  async searchProcessInstances(request: SearchRequest) {
    return this.search('engine_process_instance', PROCESS_INSTANCE_COLUMNS, request, 'process_instance_key', (row) => this.instanceResult(row));
  }

  private instanceResult(row: Record<string, unknown>) {
    const definition = this.definitions.byKey(String(row.process_definition_key));
    return compact({
      processDefinitionId: row.bpmn_process_id,
      processDefinitionName: definition?.name ?? row.bpmn_process_id,
      processDefinitionVersion: row.version,
      startDate: iso(row.start_date),
      endDate: iso(row.end_date),
      state: row.state,
      hasIncident: row.has_incident,
      tenantId: row.tenant_id,
      processInstanceKey: String(row.process_instance_key),
      processDefinitionKey: String(row.process_definition_key),
      parentProcessInstanceKey: str(row.parent_process_instance_key),
      parentElementInstanceKey: str(row.parent_element_instance_key),
    });
  }

  // ---------------------------------------------------------------- process definitions

  async getProcessDefinition(key: string) {
    const { items } = await this.searchProcessDefinitions({ filter: { processDefinitionKey: key } });
    if (!items[0]) throw notFound(`Process definition with key '${key}' not found`);
    return items[0];
  }

  /** The BPMN file the definition was deployed in, as deployed. */
  async getProcessDefinitionXml(key: string): Promise<string> {
    const { rows } = await this.pool.query<{ xml: string }>(`SELECT xml FROM engine_process_definition WHERE process_definition_key = $1`, [key]);
    if (!rows[0]) throw notFound(`Process definition with key '${key}' not found`);
    return rows[0].xml;
  }

  /** `isLatestVersion: true` keeps the latest version of each process (per tenant). */
  async searchProcessDefinitions(request: SearchRequest) {
    const { isLatestVersion, ...filter } = (request.filter ?? {}) as Record<string, unknown>;
    const latestOnly =
      isLatestVersion === true
        ? `WHERE version = (SELECT max(l.version) FROM engine_process_definition l WHERE l.tenant_id = d.tenant_id AND l.bpmn_process_id = d.bpmn_process_id)`
        : '';
    const table = `(SELECT process_definition_key, bpmn_process_id, version, name, resource_name, tenant_id FROM engine_process_definition d ${latestOnly}) d`;
    return this.search(table, PROCESS_DEFINITION_COLUMNS, { ...request, filter }, 'process_definition_key', (row) => {
      const definition = this.definitions.byKey(String(row.process_definition_key));
      return compact({
        name: (row.name as string | null) ?? undefined,
        resourceName: row.resource_name as string,
        version: row.version as number,
        processDefinitionId: row.bpmn_process_id as string,
        tenantId: row.tenant_id as string,
        processDefinitionKey: String(row.process_definition_key),
        hasStartForm: definition?.model.hasStartForm ?? false,
      });
    });
  }

  // ---------------------------------------------------------------- element instances

  /** Element instances of every state (the history the commands recorded); an open incident on one is joined in. */
  async searchElementInstances(request: SearchRequest) {
    return this.search(ELEMENT_INSTANCES, ELEMENT_INSTANCE_COLUMNS, request, 'element_instance_key', (row) => this.elementInstanceResult(row));
  }

  /** `PUT /v2/element-instances/{key}/variables`: variables on an active element instance's scope (or the process's). */
  async setVariables(elementInstanceKey: string, variables: unknown, local: boolean): Promise<void> {
    if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) throw invalid('variables must be a JSON object');
    const missing = () => notFound(`Expected to update variables for element with key '${elementInstanceKey}', but no such element was found`);
    const { rows } = await this.pool.query<{ key: string }>(
      `SELECT process_instance_key::text AS key FROM engine_element_instance WHERE element_instance_key = $1 AND state = 'ACTIVE'
       UNION ALL SELECT process_instance_key::text FROM engine_process_instance WHERE process_instance_key = $1 LIMIT 1`,
      [elementInstanceKey],
    );
    if (!rows[0]) throw missing();
    await this.onInstance(rows[0].key, (interpreter, instance) => {
      if (!interpreter.setVariables(instance, elementInstanceKey, variables as Vars, local)) throw missing();
    });
  }

  async getElementInstance(key: string) {
    const { items } = await this.searchElementInstances({ filter: { elementInstanceKey: key } });
    if (!items[0]) throw notFound(`Element instance with key '${key}' not found`);
    return items[0];
  }

  private elementInstanceResult(row: Record<string, unknown>) {
    return compact({
      processDefinitionId: row.bpmn_process_id as string,
      startDate: iso(row.start_date)!,
      endDate: iso(row.end_date),
      elementId: row.element_id as string,
      // Required in the contract; an unnamed element is known by its id.
      elementName: (row.element_name as string | null) ?? (row.element_id as string),
      type: row.type as string,
      state: row.state as string,
      hasIncident: row.has_incident as boolean,
      tenantId: row.tenant_id as string,
      elementInstanceKey: String(row.element_instance_key),
      processInstanceKey: String(row.process_instance_key),
      processDefinitionKey: String(row.process_definition_key),
      incidentKey: str(row.incident_key),
    });
  }

  // ---------------------------------------------------------------- jobs

  async activateJobs(request: { type: string; worker?: string; timeout: number; maxJobsToActivate: number; fetchVariable?: string[]; requestTimeout?: number; tenantIds?: string[] }) {
    if (!request.type) throw invalid('type must not be empty');
    if (!(request.maxJobsToActivate > 0)) throw invalid('maxJobsToActivate must be greater than 0');
    if (!(request.timeout > 0)) throw invalid('timeout must be greater than 0');
    const deadline = Date.now() + (request.requestTimeout && request.requestTimeout > 0 ? request.requestTimeout : 10_000);
    for (;;) {
      const jobs = await this.tryActivate(request);
      if (jobs.length || request.requestTimeout! < 0 || this.stopped) return { jobs };
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { jobs };
      await this.waitForJobs(request.type, Math.min(remaining, 1_000));
    }
  }

  private waitForJobs(type: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off(`jobs:${type}`, done);
        this.events.off('stop', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.events.on(`jobs:${type}`, done);
      this.events.on('stop', done);
    });
  }

  private async tryActivate(request: { type: string; worker?: string; timeout: number; maxJobsToActivate: number; fetchVariable?: string[]; tenantIds?: string[] }) {
    const now = this.now();
    const tenants = request.tenantIds?.length ? request.tenantIds : ['<default>'];
    const { rows } = await this.pool.query(
      `UPDATE engine_job j SET worker = $3, deadline = $4
       FROM (SELECT job_key FROM engine_job
             WHERE type = $1 AND retries > 0 AND tenant_id = ANY($6)
               AND (deadline IS NULL OR deadline <= $2) AND (retry_at IS NULL OR retry_at <= $2)
             ORDER BY job_key LIMIT $5 FOR UPDATE SKIP LOCKED) due
       WHERE j.job_key = due.job_key RETURNING j.*`,
      [request.type, now, request.worker ?? '', new Date(now.getTime() + request.timeout), request.maxJobsToActivate, tenants],
    );
    if (!rows.length) return [];
    const scopes = [...new Set(rows.flatMap((r) => r.scope_keys as string[]))];
    const variables = await this.pool.query<{ scope_key: string; name: string; value: string }>(
      `SELECT scope_key::text, name, value FROM engine_variable WHERE scope_key = ANY($1::bigint[])${request.fetchVariable?.length ? ' AND name = ANY($2)' : ''}`,
      request.fetchVariable?.length ? [scopes, request.fetchVariable] : [scopes],
    );
    const byScope = new Map<string, Vars>();
    for (const v of variables.rows) {
      const scope = byScope.get(v.scope_key) ?? {};
      scope[v.name] = JSON.parse(v.value);
      byScope.set(v.scope_key, scope);
    }
    rows.sort((a, b) => (BigInt(a.job_key) < BigInt(b.job_key) ? -1 : 1));
    return rows.map((row) => {
      const merged: Vars = {};
      for (const scope of [...(row.scope_keys as string[])].reverse()) Object.assign(merged, byScope.get(String(scope)));
      return {
        type: row.type,
        processDefinitionId: row.bpmn_process_id,
        processDefinitionVersion: row.version,
        elementId: row.element_id,
        customHeaders: row.custom_headers,
        worker: row.worker,
        retries: row.retries,
        deadline: (row.deadline as Date).getTime(),
        variables: merged,
        tenantId: row.tenant_id,
        jobKey: String(row.job_key),
        processInstanceKey: String(row.process_instance_key),
        processDefinitionKey: String(row.process_definition_key),
        elementInstanceKey: String(row.element_instance_key),
        kind: row.kind ?? 'BPMN_ELEMENT',
        listenerEventType: row.listener_event_type ?? 'UNSPECIFIED',
        ...(row.user_task ? { userTask: row.user_task } : {}),
      };
    });
  }

  async completeJob(jobKey: string, variables: Vars = {}, result?: JobResult): Promise<void> {
    await this.onJob(jobKey, 'complete', async (interpreter, instance, job, tx, client) => {
      tx.effects.settledJobs.push(jobKey);
      if (job.kind === 'TASK_LISTENER') {
        // Camunda 8.8 (JobCompleteProcessor): a listener's job completes without variables; it answers through `result`.
        if (Object.keys(variables ?? {}).length) {
          throw invalid(
            `Task Listener job completion with variables payload provided is not yet supported (job key '${jobKey}', type '${job.type}', processInstanceKey '${instance.key}'). Support will be enabled with the resolution of issue #23702.`,
          );
        }
        await this.listenerCompleted(interpreter, instance, job.element_instance_key, tx, client, result);
        return;
      }
      interpreter.completeJob(instance, job.element_instance_key, variables);
    });
  }

  async throwJobError(jobKey: string, errorCode: string, errorMessage: string, variables: Vars = {}): Promise<void> {
    if (!errorCode) throw invalid('errorCode must not be empty');
    await this.onJob(jobKey, 'throw an error for', async (interpreter, instance, job, tx) => {
      if (job.kind === 'TASK_LISTENER') throw new EngineError(409, 'INVALID_STATE', `Cannot throw BPMN error from TASK_LISTENER job with key '${jobKey}'; a task listener denies instead`);
      tx.effects.settledJobs.push(jobKey);
      interpreter.throwError(instance, job.element_instance_key, errorCode, errorMessage, variables);
    });
  }

  /** A failed job is retried after its back-off while retries remain; at zero an incident holds the element. */
  async failJob(jobKey: string, request: { retries?: number; errorMessage?: string; retryBackOff?: number; variables?: Vars }): Promise<void> {
    const retries = request.retries ?? 0;
    await this.onJob(jobKey, 'fail', async (interpreter, instance, job, tx, client) => {
      const retryAt = request.retryBackOff ? new Date(this.now().getTime() + request.retryBackOff) : null;
      await client.query(`UPDATE engine_job SET retries = $2, retry_at = $3, deadline = NULL, worker = NULL, error_message = $4 WHERE job_key = $1`, [
        jobKey,
        Math.max(retries, 0),
        retryAt,
        request.errorMessage ?? null,
      ]);
      if (request.variables && Object.keys(request.variables).length) interpreter.setLocalVariables(instance, job.element_instance_key, request.variables);
      if (retries <= 0) {
        interpreter.raiseJobIncident(instance, job.element_instance_key, jobKey, request.errorMessage || 'No more retries left.', job.kind === 'TASK_LISTENER');
      } else if (retryAt) {
        setTimeout(() => this.events.emit(`jobs:${job.type}`), request.retryBackOff! + 5).unref();
      }
    });
  }

  /** `PATCH /v2/jobs/{key}`: new retries (to resolve a JOB_NO_RETRIES incident) or a new lock timeout. */
  async updateJob(jobKey: string, changeset: { retries?: number | null; timeout?: number | null }): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE engine_job SET retries = COALESCE($2, retries), deadline = CASE WHEN $3::bigint IS NULL OR deadline IS NULL THEN deadline ELSE $4::timestamptz + make_interval(secs => $3::bigint / 1000.0) END WHERE job_key = $1`,
      [jobKey, changeset.retries ?? null, changeset.timeout ?? null, this.now()],
    );
    if (!rowCount) throw notFound(`Expected to update job with key '${jobKey}', but no such job was found`);
  }

  private async onJob(
    jobKey: string,
    verb: string,
    work: (interpreter: Interpreter, instance: Instance, job: { element_instance_key: string; type: string; kind: string }, tx: Txn, client: PoolClient) => Promise<void>,
  ): Promise<void> {
    const missing = () => notFound(`Expected to ${verb} job with key '${jobKey}', but no such job was found`);
    await this.run(async (tx, client) => {
      const instance = await this.lockOwner(tx, client, 'engine_job', jobKey);
      const remove = verb !== 'fail';
      const { rows } = await client.query(
        remove
          ? `DELETE FROM engine_job WHERE job_key = $1 RETURNING element_instance_key::text, type, retries, kind`
          : `SELECT element_instance_key::text, type, retries, kind FROM engine_job WHERE job_key = $1`,
        [jobKey],
      );
      // Completed, failed to zero or cancelled meanwhile: nothing completes twice.
      if (!rows[0] || !instance || (!remove && rows[0].retries <= 0)) throw missing();
      await work(new Interpreter(tx), instance, rows[0], tx, client);
    });
  }

  // ---------------------------------------------------------------- user tasks

  async searchUserTasks(request: SearchRequest) {
    return this.search('engine_user_task', USER_TASK_COLUMNS, request, 'user_task_key', (row) => this.userTaskResult(row));
  }

  async getUserTask(key: string) {
    const { rows } = await this.pool.query(`SELECT * FROM engine_user_task WHERE user_task_key = $1`, [key]);
    if (!rows[0]) throw notFound(`User task with key '${key}' not found`);
    return this.userTaskResult(rows[0]);
  }

  async getUserTaskForm(key: string) {
    const { rows } = await this.pool.query(
      `SELECT f.* FROM engine_user_task t JOIN engine_form f ON f.form_key = t.form_key WHERE t.user_task_key = $1`,
      [key],
    );
    if (!rows[0]) throw notFound(`User task with key '${key}' has no linked form`);
    return { tenantId: rows[0].tenant_id, formId: rows[0].form_id, schema: JSON.parse(rows[0].schema), version: rows[0].version, formKey: String(rows[0].form_key) };
  }

  async getForm(key: string) {
    const { rows } = await this.pool.query(`SELECT * FROM engine_form WHERE form_key = $1`, [key]);
    if (!rows[0]) throw notFound(`Form with key '${key}' not found`);
    return { tenantId: rows[0].tenant_id, formId: rows[0].form_id, schema: JSON.parse(rows[0].schema), version: rows[0].version, formKey: String(rows[0].form_key) };
  }

  /**
   * Camunda 8.8: with `assigning` listeners the task is ASSIGNING until the last one accepts (the new assignee, with
   * their corrections, is applied only then) or one denies (the old assignee stays); the request waits for that.
   */
  async assignUserTask(key: string, assignee: string | null, allowOverride = true): Promise<void> {
    const outcome = this.transitionOutcome(key);
    try {
      const pending = await this.run(async (tx, client) => {
        const { instance, task } = await this.lockOpenTask(tx, client, key, 'assign');
        if (assignee && !allowOverride && task.assignee && task.assignee !== assignee) {
          throw new EngineError(409, 'INVALID_STATE', `user task ${key} is already assigned to another user`);
        }
        const listeners = this.listenersOf(instance, task.element_id, 'assigning');
        if (!listeners.length) {
          await client.query(`UPDATE engine_user_task SET assignee = $2 WHERE user_task_key = $1`, [key, assignee]);
          return false;
        }
        const transition: Transition = { event: 'assigning', index: 0, action: assignee ? 'assign' : 'unassign', assignee, corrections: {} };
        outcome.watchElement(String(task.element_instance_key));
        await this.startTransition(tx, client, instance, task, transition, 'ASSIGNING');
        return true;
      });
      if (pending) await outcome.wait(this.listenerTimeoutMs());
    } finally {
      outcome.close();
    }
  }

  /**
   * Camunda 8.8: with `completing` listeners the task is COMPLETING while they run one after another, and the
   * completion request waits for them: after the last accepts, the task completes with the request's variables and the
   * listeners' corrections; a denial answers 409 INVALID_STATE with the listener's reason and the task is CREATED again.
   */
  async completeUserTask(key: string, variables: Vars = {}): Promise<void> {
    const outcome = this.transitionOutcome(key);
    try {
      const pending = await this.run(async (tx, client) => {
        const { instance, task } = await this.lockOpenTask(tx, client, key, 'complete');
        const listeners = this.listenersOf(instance, task.element_id, 'completing');
        if (!listeners.length) {
          await client.query(`UPDATE engine_user_task SET state = 'COMPLETED', completion_date = $2 WHERE user_task_key = $1`, [key, tx.now]);
          new Interpreter(tx).completeUserTask(instance, String(task.element_instance_key), variables);
          return false;
        }
        outcome.watchElement(String(task.element_instance_key));
        await this.startTransition(tx, client, instance, task, { event: 'completing', index: 0, action: 'complete', variables, corrections: {} }, 'COMPLETING');
        return true;
      });
      if (pending) await outcome.wait(this.listenerTimeoutMs());
    } finally {
      outcome.close();
    }
  }

  /**
   * The task and its instance, locked, for an assignment or completion: 404 when it is not open, 409 INVALID_STATE
   * while listeners of an earlier command are still running on it.
   */
  private async lockOpenTask(tx: Txn, client: PoolClient, key: string, action: 'assign' | 'complete') {
    const instance = await this.lockOwner(tx, client, 'engine_user_task', key);
    const { rows } = await client.query(`SELECT * FROM engine_user_task WHERE user_task_key = $1`, [key]);
    const task = rows[0];
    if (!task || !instance || !['CREATED', 'ASSIGNING', 'COMPLETING'].includes(task.state)) {
      throw notFound(`Expected to ${action} user task with key '${key}', but no such active task was found`);
    }
    if (task.state !== 'CREATED') {
      throw new EngineError(409, 'INVALID_STATE', `Expected to ${action} user task with key '${key}', but it is in state '${task.state}'`);
    }
    return { instance, task };
  }

  private listenerTimeoutMs(): number {
    return this.options.listenerTimeoutMs ?? 15_000;
  }

  private listenersOf(instance: Instance, elementId: string, event: TaskListenerEvent): TaskListener[] {
    const node = this.definitions.byKey(instance.processDefinitionKey)?.model.nodes.get(elementId);
    return (node?.userTask?.listeners ?? []).filter((l) => l.eventType === event);
  }

  private async startTransition(tx: Txn, client: PoolClient, instance: Instance, task: Record<string, unknown>, transition: Transition, state: 'ASSIGNING' | 'COMPLETING') {
    await client.query(`UPDATE engine_user_task SET state = $2, transition = $3 WHERE user_task_key = $1`, [task.user_task_key, state, JSON.stringify(transition)]);
    this.createListenerJob(tx, instance, task, transition);
  }

  /** The job of the transition's next listener, with the task as that listener sees it (new assignee, corrections so far). */
  private createListenerJob(tx: Txn, instance: Instance, task: Record<string, unknown>, transition: Transition): void {
    const listener = this.listenersOf(instance, String(task.element_id), transition.event)[transition.index]!;
    const seen = taskAsSeen(task, transition);
    const changed = Object.keys(transition.corrections).filter((name) => name in seen);
    if (transition.event === 'assigning' && !changed.includes('assignee')) changed.push('assignee');
    changed.sort();
    const userTaskKey = String(task.user_task_key);
    // Camunda's headers of a task listener job (BpmnJobBehavior): the task's properties under io.camunda.zeebe:*.
    const headers: Record<string, string> = { 'io.camunda.zeebe:action': transition.action, 'io.camunda.zeebe:userTaskKey': userTaskKey };
    if (seen.assignee) headers['io.camunda.zeebe:assignee'] = seen.assignee;
    if (seen.candidateGroups.length) headers['io.camunda.zeebe:candidateGroups'] = JSON.stringify(seen.candidateGroups);
    if (seen.candidateUsers.length) headers['io.camunda.zeebe:candidateUsers'] = JSON.stringify(seen.candidateUsers);
    if (seen.dueDate) headers['io.camunda.zeebe:dueDate'] = seen.dueDate;
    if (seen.followUpDate) headers['io.camunda.zeebe:followUpDate'] = seen.followUpDate;
    if (task.form_key) headers['io.camunda.zeebe:formKey'] = String(task.form_key);
    if (seen.priority > 0) headers['io.camunda.zeebe:priority'] = String(seen.priority);
    if (changed.length) headers['io.camunda.zeebe:changedAttributes'] = JSON.stringify(changed);
    const retries = Number(listener.retries);
    tx.effects.jobs.push({
      jobKey: this.keys.next(),
      type: listener.type,
      processInstanceKey: instance.key,
      elementInstanceKey: String(task.element_instance_key),
      elementId: String(task.element_id),
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      version: instance.version,
      scopeKeys: new Interpreter(tx).scopeKeysOf(instance, String(task.element_instance_key)),
      customHeaders: headers,
      retries: Number.isInteger(retries) && retries > 0 ? retries : 3,
      tenantId: instance.tenantId,
      kind: 'TASK_LISTENER',
      listenerEventType: transition.event === 'assigning' ? 'ASSIGNING' : 'COMPLETING',
      userTask: compact({
        action: transition.action,
        assignee: seen.assignee ?? undefined,
        candidateGroups: seen.candidateGroups,
        candidateUsers: seen.candidateUsers,
        changedAttributes: changed,
        dueDate: seen.dueDate ?? undefined,
        followUpDate: seen.followUpDate ?? undefined,
        formKey: task.form_key ? String(task.form_key) : undefined,
        priority: seen.priority,
        userTaskKey,
      }),
    });
  }

  /** A listener job completed: a denial ends the transition; otherwise the next listener runs, or the transition finishes. */
  private async listenerCompleted(interpreter: Interpreter, instance: Instance, elementInstanceKey: string, tx: Txn, client: PoolClient, result?: JobResult) {
    const { rows } = await client.query(`SELECT * FROM engine_user_task WHERE element_instance_key = $1 AND state IN ('ASSIGNING', 'COMPLETING')`, [elementInstanceKey]);
    const task = rows[0];
    if (!task?.transition) throw new EngineError(409, 'INVALID_STATE', `the user task of element instance ${elementInstanceKey} is not in a transition`);
    const transition = task.transition as Transition;
    const key = String(task.user_task_key);
    if (result?.denied) {
      // All corrections are discarded (Camunda: COMPLETION_DENIED / ASSIGNMENT_DENIED restore the persisted task).
      await client.query(`UPDATE engine_user_task SET state = 'CREATED', transition = NULL WHERE user_task_key = $1`, [key]);
      const reason = result.deniedReason ?? '';
      const message =
        transition.event === 'completing'
          ? `Command 'COMPLETE' rejected with code 'INVALID_STATE': Completion of the User Task with key '${key}' was denied by Task Listener. Reason to deny: '${reason}'`
          : `Command 'ASSIGN' rejected with code 'INVALID_STATE': Assignment of the User Task with key '${key}' was denied by Task Listener. Reason to deny: '${reason}'`;
      tx.onCommit.push(() => this.events.emit(`userTask:${key}`, new EngineError(409, 'INVALID_STATE', message)));
      return;
    }
    transition.corrections = { ...transition.corrections, ...corrections(result?.corrections) };
    transition.index++;
    if (transition.index < this.listenersOf(instance, String(task.element_id), transition.event).length) {
      await client.query(`UPDATE engine_user_task SET transition = $2 WHERE user_task_key = $1`, [key, JSON.stringify(transition)]);
      this.createListenerJob(tx, instance, task, transition);
      return;
    }
    const seen = taskAsSeen(task, transition);
    const done = transition.event === 'completing';
    await client.query(
      `UPDATE engine_user_task SET state = $2, transition = NULL, completion_date = $3, assignee = $4, candidate_groups = $5, candidate_users = $6,
         due_date = $7, follow_up_date = $8, priority = $9 WHERE user_task_key = $1`,
      [key, done ? 'COMPLETED' : 'CREATED', done ? tx.now : null, seen.assignee, seen.candidateGroups, seen.candidateUsers, seen.dueDate, seen.followUpDate, seen.priority],
    );
    if (done) interpreter.completeUserTask(instance, elementInstanceKey, transition.variables ?? {});
    tx.onCommit.push(() => this.events.emit(`userTask:${key}`, undefined));
  }

  /** Waits for the end of a task's transition (registered before the command, so no outcome is missed). */
  private transitionOutcome(key: string) {
    let settled: { error?: EngineError } | undefined;
    let notify: (() => void) | undefined;
    const listener = (error?: EngineError) => {
      settled = { error };
      notify?.();
    };
    this.events.on(`userTask:${key}`, listener);
    let element: string | undefined;
    // The task's element ended meanwhile (cancellation, an interrupting event): the transition is gone with it.
    const ended = () => listener(new EngineError(404, 'NOT_FOUND', `user task ${key} was canceled while its task listeners ran`));
    return {
      watchElement: (elementInstanceKey: string) => {
        element = elementInstanceKey;
        this.events.on(`ended:${element}`, ended);
      },
      close: () => {
        this.events.off(`userTask:${key}`, listener);
        if (element) this.events.off(`ended:${element}`, ended);
      },
      wait: (timeoutMs: number) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new EngineError(504, 'DEADLINE_EXCEEDED', `the task listeners of user task ${key} did not complete within ${timeoutMs} ms; the transition goes on`)),
            timeoutMs,
          );
          notify = () => {
            clearTimeout(timer);
            if (settled!.error) reject(settled!.error);
            else resolve();
          };
          if (settled) notify();
        }),
    };
  }

  private userTaskResult(row: Record<string, unknown>) {
    return compact({
      name: row.name ?? undefined,
      state: row.state,
      assignee: row.assignee ?? undefined,
      elementId: row.element_id,
      candidateGroups: row.candidate_groups,
      candidateUsers: row.candidate_users,
      processDefinitionId: row.bpmn_process_id,
      creationDate: iso(row.creation_date),
      completionDate: iso(row.completion_date),
      followUpDate: iso(row.follow_up_date),
      dueDate: iso(row.due_date),
      tenantId: row.tenant_id,
      externalFormReference: row.external_form_reference ?? undefined,
      processDefinitionVersion: row.version,
      customHeaders: row.custom_headers,
      priority: row.priority,
      userTaskKey: String(row.user_task_key),
      elementInstanceKey: String(row.element_instance_key),
      processName: row.process_name ?? undefined,
      processDefinitionKey: String(row.process_definition_key),
      processInstanceKey: String(row.process_instance_key),
      formKey: str(row.form_key),
    });
  }

  // ---------------------------------------------------------------- messages

  /**
   * Publication: correlates to every waiting instance (once per instance), starts message-start processes, and,
   * with a time to live, stays buffered for subscriptions opened later (once per process).
   */
  async publishMessage(request: { name: string; correlationKey?: string; timeToLive?: number; messageId?: string; variables?: Vars; tenantId: string }) {
    if (!request.name) throw invalid('name must not be empty');
    const correlationKey = request.correlationKey ?? '';
    const ttl = request.timeToLive ?? 0;
    await this.keys.reserve();
    const messageKey = this.keys.next();
    const now = this.now();
    if (request.messageId) {
      const duplicate = await this.pool.query(
        `SELECT 1 FROM engine_message WHERE tenant_id = $1 AND name = $2 AND correlation_key = $5 AND message_id = $3 AND expires_at > $4`,
        [request.tenantId, request.name, request.messageId, now, correlationKey],
      );
      if (duplicate.rows[0]) throw duplicateMessage(request.messageId);
    }
    const reached = await this.correlate(request.name, correlationKey, request.variables ?? {}, request.tenantId, 'all');
    if (ttl > 0) {
      await transaction(this.pool, async (client) => {
        await client.query(`DELETE FROM engine_message WHERE expires_at <= $1`, [now]);
        await client.query(
          `INSERT INTO engine_message (message_key, name, correlation_key, message_id, variables, expires_at, tenant_id) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
          [messageKey, request.name, correlationKey, request.messageId ?? null, JSON.stringify(request.variables ?? {}), new Date(now.getTime() + ttl), request.tenantId],
        );
        for (const bpmnProcessId of reached.processes) {
          await client.query(`INSERT INTO engine_message_correlation (message_key, bpmn_process_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [messageKey, bpmnProcessId]);
        }
      }).catch((error: unknown) => {
        // Two publications with one message id at the same moment: the unique index lets one be buffered.
        if ((error as { code?: string }).code === '23505') throw duplicateMessage(request.messageId!);
        throw error;
      });
    }
    return { tenantId: request.tenantId, messageKey };
  }

  /** `POST /v2/messages/correlation`: exactly one waiting instance or start event, no buffering. */
  async correlateMessage(request: { name: string; correlationKey?: string; variables?: Vars; tenantId: string }) {
    if (!request.name) throw invalid('name must not be empty');
    await this.keys.reserve();
    const messageKey = this.keys.next();
    const reached = await this.correlate(request.name, request.correlationKey ?? '', request.variables ?? {}, request.tenantId, 'one');
    if (!reached.instances.length) {
      throw notFound(`Expected to find subscription for message with name '${request.name}' and correlation key '${request.correlationKey ?? ''}', but none was found.`);
    }
    return { tenantId: request.tenantId, messageKey, processInstanceKey: reached.instances[0]! };
  }

  private async correlate(name: string, correlationKey: string, variables: Vars, tenantId: string, reach: 'all' | 'one') {
    const instances: string[] = [];
    const processes = new Set<string>();
    // Zeebe correlates a message once per process (bpmnProcessId): the oldest matching subscription of each.
    const { rows } = await this.pool.query<{ process_instance_key: string; element_instance_key: string; element_id: string; subscription_key: string; bpmn_process_id: string }>(
      `SELECT s.process_instance_key::text, s.element_instance_key::text, s.element_id, s.subscription_key::text, p.bpmn_process_id
       FROM engine_message_subscription s JOIN engine_process_instance p ON p.process_instance_key = s.process_instance_key
       WHERE s.tenant_id = $1 AND s.message_name = $2 AND s.correlation_key = $3 AND s.process_instance_key IS NOT NULL
       ORDER BY s.subscription_key`,
      [tenantId, name, correlationKey],
    );
    for (const subscription of rows) {
      if (reach === 'one' && instances.length) break;
      if (processes.has(subscription.bpmn_process_id)) continue;
      const correlated = await this.run(async (tx, client) => {
        const instance = await this.load(tx, client, subscription.process_instance_key);
        const still = await client.query(`SELECT 1 FROM engine_message_subscription WHERE subscription_key = $1`, [subscription.subscription_key]);
        if (!instance || instance.status !== 'ACTIVE' || !still.rows[0]) return false;
        new Interpreter(tx).correlateMessage(instance, subscription.element_instance_key, subscription.element_id, variables);
        processes.add(instance.bpmnProcessId);
        return true;
      });
      if (correlated) instances.push(subscription.process_instance_key);
    }
    if (reach === 'one' && instances.length) return { instances, processes };
    const starts = await this.pool.query<{ process_definition_key: string; element_id: string }>(
      `SELECT process_definition_key::text, element_id FROM engine_message_subscription
       WHERE tenant_id = $1 AND message_name = $2 AND process_instance_key IS NULL ORDER BY subscription_key`,
      [tenantId, name],
    );
    for (const start of starts.rows) {
      if (reach === 'one' && instances.length) break;
      const definition = this.definitions.byKey(start.process_definition_key);
      if (!definition || processes.has(definition.bpmnProcessId)) continue;
      // Zeebe: with a correlation key, one active message-started instance per key and process; the message waits (buffered).
      if (correlationKey) {
        const active = await this.pool.query(
          `SELECT 1 FROM engine_process_instance WHERE tenant_id = $1 AND bpmn_process_id = $2 AND state = 'ACTIVE' AND data->>'startCorrelationKey' = $3 LIMIT 1`,
          [tenantId, definition.bpmnProcessId, correlationKey],
        );
        if (active.rows[0]) continue;
      }
      const instance = await this.run(async (tx) => {
        const created = new Interpreter(tx).createInstance(definition, variables, { startElementId: start.element_id });
        if (correlationKey && created.status === 'ACTIVE') created.state.startCorrelationKey = correlationKey;
        return created;
      });
      instances.push(instance.key);
      processes.add(definition.bpmnProcessId);
    }
    return { instances, processes };
  }

  // ---------------------------------------------------------------- incidents, variables

  async searchIncidents(request: SearchRequest) {
    return this.search('engine_incident', INCIDENT_COLUMNS, request, 'incident_key', (row) =>
      compact({
        processDefinitionId: row.bpmn_process_id,
        errorType: row.error_type,
        errorMessage: row.error_message,
        elementId: row.element_id,
        creationTime: iso(row.creation_time),
        state: row.state,
        tenantId: row.tenant_id,
        incidentKey: String(row.incident_key),
        processDefinitionKey: String(row.process_definition_key),
        processInstanceKey: String(row.process_instance_key),
        elementInstanceKey: String(row.element_instance_key),
        jobKey: str(row.job_key),
      }),
    );
  }

  async getIncident(key: string) {
    const { items } = await this.searchIncidents({ filter: { incidentKey: key } });
    if (!items[0]) throw notFound(`Incident with key '${key}' not found`);
    return items[0];
  }

  /** Resolving retries what the incident interrupted; a job incident needs retries first, else it comes back. */
  async resolveIncident(key: string): Promise<void> {
    const { rows } = await this.pool.query(`SELECT * FROM engine_incident WHERE incident_key = $1 AND state = 'ACTIVE'`, [key]);
    const incident = rows[0];
    if (!incident) throw notFound(`Expected to resolve incident with key '${key}', but no such incident was found`);
    await this.onInstance(String(incident.process_instance_key), async (interpreter, instance, tx, client) => {
      if (incident.job_key) {
        await client.query(`UPDATE engine_incident SET state = 'RESOLVED' WHERE incident_key = $1`, [key]);
        const job = await client.query(`SELECT type, retries FROM engine_job WHERE job_key = $1`, [incident.job_key]);
        interpreter.clearJobIncident(instance, String(incident.element_instance_key));
        if (job.rows[0] && job.rows[0].retries <= 0) {
          interpreter.raiseJobIncident(instance, String(incident.element_instance_key), String(incident.job_key), incident.error_message);
        } else if (job.rows[0]) {
          tx.onCommit.push(() => this.events.emit(`jobs:${job.rows[0].type}`));
        }
        return;
      }
      interpreter.resolveIncident(instance, key);
    });
  }

  async searchVariables(request: SearchRequest) {
    return this.search('engine_variable', VARIABLE_COLUMNS, request, 'variable_key', (row) => ({
      name: row.name,
      value: row.value,
      isTruncated: false,
      tenantId: row.tenant_id,
      variableKey: String(row.variable_key),
      scopeKey: String(row.scope_key),
      processInstanceKey: String(row.process_instance_key),
    }));
  }

  async getVariable(key: string) {
    const { items } = await this.searchVariables({ filter: { variableKey: key } });
    if (!items[0]) throw notFound(`Variable with key '${key}' not found`);
    return items[0];
  }

  private async search<T>(table: string, columns: Record<string, Column | string>, request: SearchRequest, defaultSort: string, map: (row: Record<string, unknown>) => T) {
    let query;
    try {
      query = buildSearch(table, columns, request, defaultSort);
    } catch (error) {
      if (error instanceof SearchError) throw invalid(error.message);
      throw error;
    }
    const [rows, count] = await Promise.all([this.pool.query(query.text, query.values), this.pool.query(query.countText, query.values)]);
    return { items: rows.rows.map(map), page: { totalItems: count.rows[0].total as number } };
  }

  // ---------------------------------------------------------------- timers

  /**
   * Fires every due timer in due order, then expired job locks become activatable again (they simply are). A call
   * while a sweep runs gets one more sweep after it (shared by every such call): the running one may have read the
   * timers before the clock moved.
   */
  sweep(): Promise<void> {
    if (this.sweeping) {
      this.sweepAgain ??= this.sweeping.catch(() => undefined).then(() => {
        this.sweepAgain = undefined;
        return this.sweep();
      });
      return this.sweepAgain;
    }
    this.sweeping = this.fireDueTimers().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async fireDueTimers(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = this.now();
      const { rows } = await this.pool.query(
        `SELECT timer_key::text, due_at, process_definition_key::text, process_instance_key::text, element_instance_key::text, element_id, repetitions, cycle
         FROM engine_timer WHERE due_at <= $1 ORDER BY due_at, timer_key LIMIT 100`,
        [now],
      );
      if (!rows.length) break;
      for (const timer of rows) await this.fireTimer(timer);
    }
    // Jobs whose lock or back-off ran out on the engine clock: wake their pollers.
    const { rows } = await this.pool.query(
      `SELECT DISTINCT type FROM engine_job WHERE retries > 0 AND ((deadline IS NOT NULL AND deadline <= $1) OR (retry_at IS NOT NULL AND retry_at <= $1 AND deadline IS NULL))`,
      [this.now()],
    );
    for (const row of rows) this.events.emit(`jobs:${row.type}`);
  }

  private async fireTimer(timer: Record<string, string | number | Date | null>): Promise<void> {
    await this.run(async (tx, client) => {
      const gone = await client.query(`DELETE FROM engine_timer WHERE timer_key = $1 RETURNING 1`, [timer.timer_key]);
      if (!gone.rows[0]) return;
      tx.effects.firedTimers.push(String(timer.timer_key));
      const interpreter = new Interpreter(tx);
      if (!timer.process_instance_key) {
        const definition = this.definitions.byKey(String(timer.process_definition_key));
        if (!definition) return;
        interpreter.createInstance(definition, {}, { startElementId: String(timer.element_id) });
        // A timer start with a cycle starts a new instance at every firing.
        const next = timer.cycle ? nextOfCycle(String(timer.cycle), timer.due_at as Date, Number(timer.repetitions)) : undefined;
        if (next) {
          tx.effects.timers.push({
            timerKey: this.keys.next(),
            dueAt: next.dueAt,
            processDefinitionKey: definition.key,
            elementId: String(timer.element_id),
            repetitions: next.repetitions,
            cycle: next.cycle,
          });
        }
        return;
      }
      const instance = await this.load(tx, client, String(timer.process_instance_key));
      if (!instance || instance.status !== 'ACTIVE') return;
      interpreter.fireTimer(
        instance,
        String(timer.element_instance_key),
        String(timer.element_id),
        Number(timer.repetitions),
        (timer.cycle as string | null) ?? undefined,
        timer.due_at as Date,
      );
    });
  }

  // ---------------------------------------------------------------- command plumbing

  private async onInstance(key: string, work: (interpreter: Interpreter, instance: Instance, tx: Txn, client: PoolClient) => void | Promise<void>): Promise<void> {
    await this.run(async (tx, client) => {
      const instance = await this.load(tx, client, key);
      if (!instance) throw notFound(`Process instance with key '${key}' not found`);
      await work(new Interpreter(tx), instance, tx, client);
    });
  }

  /** The instance of a job or user task, locked, with the command's transaction. */
  private async lockOwner(tx: Txn, client: PoolClient, owner: 'engine_job' | 'engine_user_task', key: string): Promise<Instance | undefined> {
    return this.adopt(tx, await lockInstanceOf(client, owner, key));
  }

  private async load(tx: Txn, client: PoolClient, key: string): Promise<Instance | undefined> {
    const loaded = tx.instances.get(key);
    if (loaded) return loaded;
    return this.adopt(tx, await lockInstance(client, key));
  }

  /** Makes a locked instance part of the command's transaction. */
  private adopt(tx: Txn, instance: Instance | undefined): Instance | undefined {
    if (!instance) return undefined;
    tx.instances.set(instance.key, instance);
    const startKey = instance.state.startCorrelationKey;
    if (startKey && instance.status === 'ACTIVE') {
      const work = this.afterCommit.get(tx) ?? [];
      work.push(async () => {
        if (instance.status !== 'ACTIVE') await this.startFromBuffer(instance.bpmnProcessId, instance.tenantId, startKey);
      });
      this.afterCommit.set(tx, work);
    }
    return instance;
  }

  /** Zeebe: when the instance a message with a correlation key started ends, the oldest buffered message with that key starts the next. */
  private async startFromBuffer(bpmnProcessId: string, tenantId: string, correlationKey: string): Promise<void> {
    const definition = this.definitions.latest(bpmnProcessId, tenantId);
    if (!definition?.model.messageStarts.length) return;
    await this.run(async (tx, client) => {
      for (const start of definition.model.messageStarts) {
        const { rows } = await client.query(
          `SELECT m.message_key::text, m.variables FROM engine_message m
           WHERE m.tenant_id = $1 AND m.name = $2 AND m.correlation_key = $3 AND m.expires_at > $4
             AND NOT EXISTS (SELECT 1 FROM engine_message_correlation c WHERE c.message_key = m.message_key AND c.bpmn_process_id = $5)
           ORDER BY m.message_key LIMIT 1 FOR UPDATE`,
          [tenantId, start.message!.name, correlationKey, tx.now, bpmnProcessId],
        );
        if (!rows[0]) continue;
        await client.query(`INSERT INTO engine_message_correlation (message_key, bpmn_process_id) VALUES ($1, $2)`, [rows[0].message_key, bpmnProcessId]);
        const created = new Interpreter(tx).createInstance(definition, rows[0].variables, { startElementId: start.id });
        if (created.status === 'ACTIVE') created.state.startCorrelationKey = correlationKey;
        return;
      }
    });
  }

  /**
   * One command in one transaction: the work, then the follow-ups on related instances (call activities), then
   * buffered messages for the subscriptions it opened; all written before the caller gets an answer.
   */
  private async run<T>(work: (tx: Txn, client: PoolClient) => Promise<T>): Promise<T> {
    let keysNeeded = 2_000;
    for (let attempt = 1; ; attempt++) {
      await this.keys.reserve(keysNeeded);
      const tx = new Txn(this.definitions, this.keys, this.now());
      try {
        const result = await transaction(this.pool, async (client) => {
          const value = await work(tx, client);
          await this.settle(tx, client);
          await persist(client, tx.instances.values(), tx.effects, this.keys, tx.now);
          return value;
        });
        this.announce(tx);
        for (const work of this.afterCommit.get(tx) ?? []) await work();
        return result;
      } catch (error) {
        // Two commands that lock a parent and its child in opposite orders: PostgreSQL picks one; it runs again.
        const code = (error as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        // A large multi-instance: run the command again with enough keys reserved.
        if (error instanceof KeysExhausted && keysNeeded < 1_000_000) {
          keysNeeded *= 10;
          continue;
        }
        if (error instanceof ProcessError) throw new EngineError(409, 'INVALID_STATE', error.message);
        throw error;
      }
    }
  }

  private async settle(tx: Txn, client: PoolClient): Promise<void> {
    const interpreter = new Interpreter(tx);
    let checked = 0;
    for (;;) {
      const followUp = tx.followUps.shift();
      if (followUp) {
        const instance = await this.load(tx, client, followUp.instanceKey);
        if (instance) interpreter.applyFollowUp(instance, followUp);
        continue;
      }
      const subscription = tx.effects.subscriptions[checked];
      if (!subscription) return;
      checked++;
      const closed = tx.effects.ended.includes(subscription.elementInstanceKey!) || tx.effects.closedEvents.includes(`${subscription.elementInstanceKey}/${subscription.elementId}`);
      if (subscription.processInstanceKey && !closed) {
        await this.correlateBuffered(tx, client, interpreter, subscription);
      }
    }
  }

  private async correlateBuffered(tx: Txn, client: PoolClient, interpreter: Interpreter, subscription: Txn['effects']['subscriptions'][number]) {
    const { rows } = await client.query(
      `SELECT m.message_key::text, m.variables FROM engine_message m
       WHERE m.tenant_id = $1 AND m.name = $2 AND m.correlation_key = $3 AND m.expires_at > $4
         AND NOT EXISTS (SELECT 1 FROM engine_message_correlation c WHERE c.message_key = m.message_key AND c.bpmn_process_id = $5)
       ORDER BY m.message_key LIMIT 1 FOR UPDATE`,
      [subscription.tenantId, subscription.messageName, subscription.correlationKey ?? '', tx.now, subscription.bpmnProcessId],
    );
    const message = rows[0];
    if (!message) return;
    await client.query(`INSERT INTO engine_message_correlation (message_key, bpmn_process_id) VALUES ($1, $2)`, [message.message_key, subscription.bpmnProcessId]);
    const instance = tx.instances.get(subscription.processInstanceKey!)!;
    interpreter.correlateMessage(instance, subscription.elementInstanceKey!, subscription.elementId, message.variables);
  }

  /** After commit: wake job pollers, resolve awaited completions. */
  private announce(tx: Txn): void {
    for (const type of new Set(tx.effects.jobs.map((j) => j.type))) this.events.emit(`jobs:${type}`);
    for (const instance of tx.instances.values()) {
      if (instance.status === 'COMPLETED') this.events.emit('completed', instance.key, tx.completedVariables.get(instance.key) ?? {});
    }
    for (const callback of tx.onCommit) callback();
    for (const key of tx.effects.ended) this.events.emit(`ended:${key}`);
  }

  /**
   * The one partition is healthy only when its state, the database, answers: a broker whose storage is gone reports an
   * unhealthy partition in Camunda too (the answer itself stays 200, as the API contract has it).
   */
  async topology() {
    const health = (await this.databaseAnswers()) ? ('healthy' as const) : ('unhealthy' as const);
    return {
      brokers: [{ nodeId: 0, host: 'embedded', port: 0, partitions: [{ partitionId: 1, role: 'leader' as const, health }], version: '8.8.0' }],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: '8.8.0',
      lastCompletedChangeId: '-1',
    };
  }

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.pool.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer')), DATABASE_PING_MS);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

const DATABASE_PING_MS = 2_000;

class DefinitionCache implements DefinitionLookup {
  private readonly keyed = new Map<string, Definition>();
  private readonly versions = new Map<string, Definition[]>();

  async add(row: Record<string, unknown>, formKeys: Map<string, string>): Promise<void> {
    const models = await compileBpmn(String(row.xml));
    const model = models.find((m) => m.id === row.bpmn_process_id)!;
    const definition: Definition = {
      key: String(row.process_definition_key),
      bpmnProcessId: String(row.bpmn_process_id),
      version: Number(row.version),
      name: (row.name as string | null) ?? undefined,
      tenantId: String(row.tenant_id),
      model,
      formKeys,
    };
    this.keyed.set(definition.key, definition);
    const id = `${definition.tenantId}/${definition.bpmnProcessId}`;
    const list = this.versions.get(id) ?? [];
    list.push(definition);
    list.sort((a, b) => a.version - b.version);
    this.versions.set(id, list);
  }

  byKey(key: string): Definition | undefined {
    return this.keyed.get(key);
  }

  private readonly latestForms = new Map<string, string>();

  setLatestForm(formId: string, tenantId: string, formKey: string): void {
    this.latestForms.set(`${tenantId}/${formId}`, formKey);
  }

  latestForm(formId: string, tenantId: string): string | undefined {
    return this.latestForms.get(`${tenantId}/${formId}`);
  }

  latest(bpmnProcessId: string, tenantId: string): Definition | undefined {
    return this.versions.get(`${tenantId}/${bpmnProcessId}`)?.at(-1);
  }

  version(bpmnProcessId: string, tenantId: string, version: number): Definition | undefined {
    if (version < 0) return this.latest(bpmnProcessId, tenantId);
    return this.versions.get(`${tenantId}/${bpmnProcessId}`)?.find((d) => d.version === version);
  }
}

const PROCESS_INSTANCE_COLUMNS: Record<string, Column | string> = {
  processInstanceKey: 'process_instance_key',
  processDefinitionId: 'bpmn_process_id',
  processDefinitionKey: 'process_definition_key',
  processDefinitionVersion: 'version',
  state: 'state',
  hasIncident: 'has_incident',
  tenantId: 'tenant_id',
  startDate: 'start_date',
  endDate: 'end_date',
  parentProcessInstanceKey: 'parent_process_instance_key',
  parentElementInstanceKey: 'parent_element_instance_key',
};

const PROCESS_DEFINITION_COLUMNS: Record<string, Column | string> = {
  processDefinitionKey: 'process_definition_key',
  processDefinitionId: 'bpmn_process_id',
  name: 'name',
  resourceName: 'resource_name',
  version: 'version',
  tenantId: 'tenant_id',
};

/** The history rows with the key of an open incident on each (Camunda's `hasIncident` / `incidentKey`). */
const ELEMENT_INSTANCES = `(SELECT e.*, i.incident_key, i.incident_key IS NOT NULL AS has_incident FROM engine_element_instance e
  LEFT JOIN LATERAL (SELECT incident_key FROM engine_incident WHERE element_instance_key = e.element_instance_key AND state = 'ACTIVE' ORDER BY incident_key LIMIT 1) i ON true) e`;

const ELEMENT_INSTANCE_COLUMNS: Record<string, Column | string> = {
  elementInstanceKey: 'element_instance_key',
  processInstanceKey: 'process_instance_key',
  processDefinitionKey: 'process_definition_key',
  processDefinitionId: 'bpmn_process_id',
  elementId: 'element_id',
  elementName: 'element_name',
  type: 'type',
  state: 'state',
  hasIncident: 'has_incident',
  incidentKey: 'incident_key',
  tenantId: 'tenant_id',
  startDate: 'start_date',
  endDate: 'end_date',
  elementInstanceScopeKey: 'scope_key',
};

const USER_TASK_COLUMNS: Record<string, Column | string> = {
  userTaskKey: 'user_task_key',
  state: 'state',
  assignee: 'assignee',
  priority: 'priority',
  elementId: 'element_id',
  name: 'name',
  candidateGroup: { column: 'candidate_groups', array: true },
  candidateUser: { column: 'candidate_users', array: true },
  tenantId: 'tenant_id',
  processDefinitionId: 'bpmn_process_id',
  processDefinitionKey: 'process_definition_key',
  processInstanceKey: 'process_instance_key',
  elementInstanceKey: 'element_instance_key',
  creationDate: 'creation_date',
  completionDate: 'completion_date',
  followUpDate: 'follow_up_date',
  dueDate: 'due_date',
};

const INCIDENT_COLUMNS: Record<string, Column | string> = {
  incidentKey: 'incident_key',
  processDefinitionId: 'bpmn_process_id',
  processDefinitionKey: 'process_definition_key',
  processInstanceKey: 'process_instance_key',
  elementInstanceKey: 'element_instance_key',
  elementId: 'element_id',
  errorType: 'error_type',
  errorMessage: 'error_message',
  state: 'state',
  jobKey: 'job_key',
  tenantId: 'tenant_id',
  creationTime: 'creation_time',
};

const VARIABLE_COLUMNS: Record<string, Column | string> = {
  variableKey: 'variable_key',
  name: 'name',
  value: 'value',
  scopeKey: 'scope_key',
  processInstanceKey: 'process_instance_key',
  tenantId: 'tenant_id',
};

function iso(value: unknown): string | undefined {
  return value instanceof Date ? value.toISOString() : undefined;
}

function str(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** Drops undefined fields: the API contract has optional fields, never nulls. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
