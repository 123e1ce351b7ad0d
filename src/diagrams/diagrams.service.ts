import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { DomainError } from '../common/domain-error';
import { scopesFrom } from '../tasks/task-scope';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import type { ProcessInstanceDiagram } from './diagrams.dto';
import { type SequenceFlowRef, sequenceFlowsOf, takenFlows } from './taken-flows';

type VariableSearch = Parameters<CamundaClient['searchVariables']>[0];
type ElementSearch = Parameters<CamundaClient['searchElementInstances']>[0];
type ElementInstance = NonNullable<Awaited<ReturnType<CamundaClient['searchElementInstances']>>['items']>[number];

/** Reads answer from what the engine knows now; a real cluster's search side may lag a moment behind. */
const NOW = { consistency: { waitUpToMs: 0 } };
const PAGE_SIZE = 1_000;
/** An instance that went through more element instances than this (a loop gone wild) is drawn from the first ones. */
const MAX_ELEMENT_INSTANCES = 20_000;
/** Deployed models never change under their key: the XML and its flows are kept for this many definitions. */
const CACHED_MODELS = 50;

interface Model {
  xml: string;
  flows: SequenceFlowRef[];
}

/**
 * A process instance's diagram, through the SDK client only (the same on the embedded engine and on a real Camunda
 * 8.8): its model's XML and its element instances. Scoped like tasks: the instance's `regionCode` variable must lie
 * within the caller's region, else it answers as if it did not exist.
 */
@Injectable()
export class DiagramsService {
  private readonly models = new Map<string, Promise<Model>>();

  constructor(@Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient) {}

  async diagram(processInstanceKey: string, principal: Principal): Promise<ProcessInstanceDiagram> {
    // The scope first: nothing else is asked of the engine about an instance the caller may not see.
    const search = {
      filter: { processInstanceKey, scopeKey: processInstanceKey, name: 'regionCode' },
      page: { limit: 1 },
      truncateValues: false,
    } as VariableSearch;
    const { items: variables } = await this.engine(() => this.client.searchVariables(search, NOW), processInstanceKey);
    const scope = scopesFrom(variables).get(processInstanceKey);
    if (!scope || !regionCovers(principal.regionCode, scope.regionCode)) throw notFound(processInstanceKey);

    const instance = await this.engine(() => this.client.getProcessInstance({ processInstanceKey: processInstanceKey as never }, NOW), processInstanceKey);
    const processDefinitionKey = String(instance.processDefinitionKey);
    const processDefinitionId = String(instance.processDefinitionId);
    const [model, elements] = await Promise.all([this.modelOf(processDefinitionKey, processDefinitionId, processInstanceKey), this.elementInstancesOf(processInstanceKey)]);
    const ids = (state?: string) => [...new Set(elements.filter((e) => !state || e.state === state).map((e) => String(e.elementId)))];
    const completedElementIds = ids('COMPLETED');
    return {
      processInstanceKey,
      processDefinitionId,
      processDefinitionKey,
      bpmnXml: model.xml,
      activeElementIds: ids('ACTIVE'),
      completedElementIds,
      takenSequenceFlowIds: takenFlows(model.flows, completedElementIds, ids()),
    };
  }

  /** The deployed XML and its sequence flows, read and parsed once per definition key (a failure is not kept). */
  private modelOf(processDefinitionKey: string, processDefinitionId: string, processInstanceKey: string): Promise<Model> {
    const cached = this.models.get(processDefinitionKey);
    if (cached) return cached;
    const loading = (async () => {
      const answer = await this.engine(() => this.client.getProcessDefinitionXml({ processDefinitionKey: processDefinitionKey as never }, NOW), processInstanceKey);
      const xml = String(answer ?? '');
      return { xml, flows: xml ? await sequenceFlowsOf(xml, processDefinitionId) : [] };
    })();
    this.models.set(processDefinitionKey, loading);
    loading.catch(() => this.models.delete(processDefinitionKey));
    while (this.models.size > CACHED_MODELS) this.models.delete(this.models.keys().next().value!);
    return loading;
  }

  /** Every element instance of the process instance, in the order they were activated. */
  private async elementInstancesOf(processInstanceKey: string): Promise<ElementInstance[]> {
    const found: ElementInstance[] = [];
    for (;;) {
      const search = {
        filter: { processInstanceKey },
        sort: [{ field: 'elementInstanceKey', order: 'ASC' }],
        page: { from: found.length, limit: PAGE_SIZE },
      } as ElementSearch;
      const { items = [], page } = await this.engine(() => this.client.searchElementInstances(search, NOW), processInstanceKey);
      found.push(...items);
      if (items.length < PAGE_SIZE || found.length >= Number(page.totalItems) || found.length >= MAX_ELEMENT_INSTANCES) return found;
    }
  }

  /** A 404 of the instance or its model is the instance not found; no answer, 5xx or 429 is engine-unavailable (503). */
  private async engine<T>(call: () => PromiseLike<T>, processInstanceKey: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status === 404) throw notFound(processInstanceKey);
      if (typeof status === 'number' && status < 500 && status !== 429) throw error;
      throw new DomainError('engine-unavailable', `the workflow engine did not answer: ${(error as Error).message}`, 503);
    }
  }
}

function notFound(processInstanceKey: string): DomainError {
  return new DomainError('process-instance-not-found', `process instance ${processInstanceKey} not found`, 404);
}
