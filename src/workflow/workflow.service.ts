import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { jobTypesOf, readResources, Resource } from './bpmn-resources';
import { CAMUNDA_CLIENT, CAMUNDA_WORKER_CLIENT, CamundaClient } from './camunda-client';
import { classifyJobFailure, type JobActions, ListenerVerdict, settleJob } from './job-outcome';
import { JOB_WORKER, JobWorkerOptions } from './job-worker.decorator';

type Handler = (job: unknown) => Promise<Record<string, unknown> | ListenerVerdict | void>;
type ActivatedJob = Parameters<Parameters<CamundaClient['createJobWorker']>[0]['jobHandler']>[0];

interface DeclaredWorker {
  options: JobWorkerOptions;
  handler: Handler;
  declaredAt: string;
}

export interface DeployedVersion {
  kind: 'process' | 'form';
  id: string;
  version: number;
}

/**
 * Checks at start-up that models and workers match (every job type has exactly one worker and every worker a
 * job type), then deploys everything under BPMN_DIR in one deployment and starts the workers. An unreachable
 * engine does not stop the service: deployment is retried with back-off and /health shows the engine down.
 */
@Injectable()
export class WorkflowService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkflowService.name);
  private declared: DeclaredWorker[] = [];
  private resources: Resource[] = [];
  private readonly running: { stop(): void; readonly activeJobs: number }[] = [];
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private readyResolve!: (versions: DeployedVersion[]) => void;
  /** Resolves with the deployed versions once the models are deployed and the workers poll. */
  readonly ready = new Promise<DeployedVersion[]>((resolve) => (this.readyResolve = resolve));

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient,
    @Inject(CAMUNDA_WORKER_CLIENT) private readonly workerClient: CamundaClient,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.declared = this.discoverWorkers();
    this.resources = readResources(this.config.BPMN_DIR);
    const needed = new Map<string, string[]>();
    for (const resource of this.resources.filter((r) => r.name.endsWith('.bpmn'))) {
      for (const type of await jobTypesOf(resource.content)) needed.set(type, [...(needed.get(type) ?? []), resource.name]);
    }
    const problems: string[] = [];
    for (const [type, models] of needed) {
      if (type.startsWith('=')) continue; // an expression, known only at run time
      const workers = this.declared.filter((w) => w.options.type === type);
      if (workers.length === 0) problems.push(`job type "${type}" (in ${models.join(', ')}) has no worker`);
      if (workers.length > 1) problems.push(`job type "${type}" has several workers: ${workers.map((w) => w.declaredAt).join(', ')}`);
    }
    for (const worker of this.declared.filter((w) => !needed.has(w.options.type))) {
      problems.push(`worker ${worker.declaredAt} handles job type "${worker.options.type}", which no model in ${this.config.BPMN_DIR}/ uses`);
    }
    if (problems.length > 0) throw new Error(`Models and job workers do not match:\n  - ${problems.join('\n  - ')}`);
  }

  onApplicationBootstrap(): void {
    void this.deployAndStart(1);
  }

  /**
   * Stops polling, then lets the jobs in hand finish (a few seconds at most), before Nest closes the HTTP server and
   * the database pool: first thing in a stop, so no poll fails (and logs) on an engine that is going away.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const worker of this.running) worker.stop();
    const until = Date.now() + 5_000;
    while (this.running.some((worker) => worker.activeJobs > 0) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private discoverWorkers(): DeclaredWorker[] {
    return this.discovery.getProviders().flatMap(({ instance, metatype }) => {
      if (!instance || typeof instance !== 'object' || !metatype) return [];
      const prototype = Object.getPrototypeOf(instance) as object;
      return this.scanner.getAllMethodNames(prototype).flatMap((method) => {
        const handler = (instance as Record<string, unknown>)[method] as Handler;
        const options = this.reflector.get<JobWorkerOptions | undefined>(JOB_WORKER, handler);
        return options ? [{ options, handler: handler.bind(instance), declaredAt: `${metatype.name}.${method}` }] : [];
      });
    });
  }

  private async deployAndStart(attempt: number): Promise<void> {
    if (this.stopped) return;
    let versions: DeployedVersion[];
    try {
      versions = await this.deploy();
    } catch (error) {
      const delay = Math.min(30_000, 1_000 * 2 ** attempt);
      this.logger.warn(`deployment to ${this.config.ZEEBE_REST_ADDRESS} failed (attempt ${attempt}, retry in ${delay / 1000} s): ${(error as Error).message}`);
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.deployAndStart(attempt + 1), delay);
      return;
    }
    this.logger.log(`deployed ${versions.map((v) => `${v.kind} ${v.id} v${v.version}`).join(', ')}`);
    if (this.stopped) return;
    for (const worker of this.declared) this.running.push(this.startWorker(worker));
    this.readyResolve(versions);
  }

  private async deploy(): Promise<DeployedVersion[]> {
    if (this.resources.length === 0) return [];
    // One deployment for all models and forms, so forms linked with bindingType="deployment" resolve.
    const result = await this.client.createDeployment({
      resources: this.resources.map((r) => new File([r.content], basename(r.name))),
      tenantId: this.config.CAMUNDA_TENANT_ID,
    } as Parameters<CamundaClient['createDeployment']>[0]);
    return [
      ...result.processes.map((p) => ({ kind: 'process' as const, id: p.processDefinitionId, version: p.processDefinitionVersion })),
      ...result.forms.map((f) => ({ kind: 'form' as const, id: String(f.formId), version: Number(f.version) })),
    ];
  }

  private startWorker({ options, handler }: DeclaredWorker): { stop(): void; readonly activeJobs: number } {
    const logger = new Logger(`job:${options.type}`);
    return this.workerClient.createJobWorker({
      jobType: options.type,
      workerName: `doudi@${hostname()}`,
      jobTimeoutMs: options.timeoutMs ?? 60_000,
      maxParallelJobs: options.maxParallelJobs ?? 8,
      pollTimeoutMs: 20_000,
      // The pause after a failed (or empty) poll: the SDK's default, 1 ms, turns an engine outage into a busy loop.
      pollIntervalMs: 500,
      ...(options.fetchVariables ? { fetchVariables: options.fetchVariables } : {}),
      jobHandler: (job) =>
        settleJob(this.actionsOf(job), async () => {
          try {
            return await this.metrics.timeJob(options.type, () => handler(job));
          } catch (error) {
            // settleJob decides the outcome; the log says which, so a data problem is not mistaken for a passing fault.
            const failure = classifyJobFailure(error);
            const message = failure.kind === 'data' ? `job handler failed on a data problem, incident raised without retries: ${failure.reason}` : 'job handler failed';
            logger.warn({ jobKey: job.jobKey, processInstanceKey: job.processInstanceKey, outcome: failure.kind, err: error }, message);
            throw error;
          }
        }),
    });
  }
  /** The SDK's job, and the completion of a listener's job with its verdict, which the SDK's job cannot send. */
  private actionsOf(job: ActivatedJob): JobActions<'JOB_ACTION_RECEIPT'> {
    const sdkJob = job as unknown as JobActions<'JOB_ACTION_RECEIPT'> & { jobKey: string; ignore(): Promise<'JOB_ACTION_RECEIPT'> };
    return {
      retries: sdkJob.retries,
      complete: (variables) => sdkJob.complete(variables),
      error: (error) => sdkJob.error(error),
      fail: (failure) => sdkJob.fail(failure),
      completeListener: async (verdict) => {
        try {
          await this.workerClient.completeJob({
            jobKey: sdkJob.jobKey as never,
            result: verdict.denied ? { type: 'userTask', denied: true, deniedReason: verdict.deniedReason } : { type: 'userTask', denied: false },
          });
        } finally {
          await sdkJob.ignore();
        }
        return 'JOB_ACTION_RECEIPT';
      },
    };
  }
}
