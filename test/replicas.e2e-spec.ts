import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { migrateDatabase } from '../src/database/data-source-options';
import { DeadlinesService } from '../src/deadlines/deadlines.service';
import { DEMO_SEED_LOCK_KEY, DemoSeeder } from '../src/demo/demo.seeder';
import { DIBAO_PROCESS_ID } from '../src/dibao/dibao-process';
import { startEngineServer, type EngineServer } from '../src/engine/engine-server';
import { CalendarNotices } from '../src/calendar/calendar-notices.service';
import { DEADLINE_MOVED_MESSAGE } from '../src/deadlines/deadline-moved';
import { HolidayCalendar } from '../src/policy/holiday-calendar';
import { CAMUNDA_CLIENT, type CamundaClient } from '../src/workflow/camunda-client';
import { OutboxDispatcher } from '../src/outbox/outbox.dispatcher';
import { OutboxReconciler, RECONCILE_LOCK_KEY } from '../src/outbox/outbox.reconciler';
import { OutboxRepository } from '../src/outbox/outbox.repository';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { TEMPORARY_AID_PROCESS_ID } from '../src/temporary-aid/temporary-aid-process';
import { strictClient } from './support/engine';
import { Replica, until } from './support/replicas';
import { type Actor, idNumber, TestClock } from './support/scenario';
import { createTestDatabase, migrationUrlOf } from './support/test-app';

/**
 * Two service replicas (A and B, each the whole app with its start-up work and background loops) against one
 * embedded engine and one database, as `npm run engine` plus two `npm start` with the same DATABASE_URL and
 * ZEEBE_REST_ADDRESS. Requests alternate between them; time moves by one injected clock (never sleep).
 */

const VILLAGE = '410821100201';
const COUNTY = '410821';
/** Monday 2026-09-14 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');
/** The dibao procedure's 30 working days from START end at 2026-10-30T15:59:59.999Z (see the dibao scenario). */
const PAST_PROCEDURE_DEADLINE = new Date('2026-10-30T16:00:00Z');
const DAY = 86_400_000;

const integrator: Actor = { roles: [Role.Integrator], region: COUNTY, id: 'portal' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader-li' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-chen' };

const MIGRATIONS = readdirSync(join(__dirname, '..', 'migrations')).filter((f) => /^\d+-.+\.ts$/.test(f));

function household(name: string, birth: string, wagesFen: number): Record<string, unknown> {
  return {
    regionCode: VILLAGE,
    channel: 'self',
    requestType: 'household',
    area: 'rural',
    members: [
      { id: 'm1', name, idNumber: idNumber(VILLAGE, birth, '771'), age: 2026 - Number(birth.slice(0, 4)), relation: 'applicant', seriousIllness: false, inSchool: false, employed: true },
      { id: 'm2', name: `${name[0]}小红`, idNumber: idNumber(VILLAGE, '20100303', String(700 + Number(birth.slice(2, 4)))), age: 16, relation: 'child', seriousIllness: false, inSchool: true, employed: false },
    ],
    incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: wagesFen }],
    expenditures: [],
    assets: { financialFen: 0 },
  };
}

async function migrationRows(db: DataSource): Promise<string[]> {
  return ((await db.query(`SELECT name FROM schema_migrations ORDER BY id`)) as { name: string }[]).map((r) => r.name);
}

describe('two service replicas on one engine and one database', () => {
  it('start at once on a fresh database: both come up and every migration ran once', async () => {
    const databaseUrl = await createTestDatabase();
    // Two replicas and a third migrating process (as the embedded engine does at its start), all at the same moment.
    const [a, b] = await Promise.all([
      Replica.start('A', databaseUrl, { DEMO_DATA: 'off' }),
      Replica.start('B', databaseUrl, { DEMO_DATA: 'off' }),
      migrateDatabase(migrationUrlOf(databaseUrl)),
    ]);
    try {
      const names = await migrationRows(a.db);
      expect(names).toHaveLength(MIGRATIONS.length);
      expect(new Set(names).size).toBe(names.length);
      // Both replicas work on the schema.
      for (const replica of [a, b]) expect((await replica.get(county, '/api/v1/dibao/cases')).status).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  describe('the dibao scenario through both', () => {
    let databaseUrl: string;
    let engine: EngineServer;
    const clock = new TestClock(START);
    let a: Replica;
    let b: Replica;
    /** Every deadline row id a sweep of either replica (background or called here) reported as marked by it. */
    const swept: { replica: string; id: string }[] = [];
    /** How many sweeps each replica ran (its background loop and the calls here). */
    const sweeps: Record<string, number> = { A: 0, B: 0 };

    const moveEngineTo = async (at: Date) => {
      clock.current = at;
      await strictClient(engine.url).pinClock({ timestamp: at.getTime() });
    };
    const untilStatus = (replica: Replica, caseId: string, status: string) =>
      until(`case ${caseId} to be ${status}`, () => replica.readCase(caseId, caseworker), (c) => c.status === status);
    /** Nothing left in flight: no job waiting for a worker, no outbox row waiting for a dispatcher. */
    const quiet = () =>
      until(
        'the engine jobs and the outbox to drain',
        async () => {
          const [{ jobs }] = await a.db.query(`SELECT count(*)::int AS jobs FROM engine_job WHERE retries > 0`);
          const [{ pending }] = await a.db.query(`SELECT count(*)::int AS pending FROM engine_outbox WHERE dispatched_at IS NULL`);
          return { jobs, pending };
        },
        (v) => v.jobs === 0 && v.pending === 0,
      );

    /** What each replica's check-and-seed (under the seeding lock) created. */
    const seedings: Promise<string[]>[] = [];

    beforeAll(async () => {
      // Spied before the replicas start: each seeds in the background at start-up. The check-and-seed waits until
      // the other replica is there too — inside it as well (no lock: both would count 0 and seed), or waiting on the
      // seeding lock — so the two really race for it.
      const seedOnce = (DemoSeeder.prototype as unknown as { seedOnce: () => Promise<string[]> }).seedOnce;
      let entered = 0;
      jest.spyOn(DemoSeeder.prototype as unknown as { seedOnce: () => Promise<string[]> }, 'seedOnce').mockImplementation(function (this: DemoSeeder) {
        entered += 1;
        const run = until(
          'the other replica at the seeding lock',
          async () => ({ entered, atLock: await (this as unknown as { dataSource: DataSource }).dataSource.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`, [DEMO_SEED_LOCK_KEY]) }),
          (v) => v.entered === 2 || v.atLock.length === 2,
          10_000,
        ).then(() => seedOnce.call(this));
        seedings.push(run);
        return run;
      });
      databaseUrl = await createTestDatabase();
      engine = await startEngineServer({ databaseUrl, migrationUrl: migrationUrlOf(databaseUrl), port: 0 });
      await moveEngineTo(START);
      // Both with the demo data on and a sweep every second, started at the same moment.
      const env = { ZEEBE_REST_ADDRESS: engine.url, DEMO_DATA: 'on', SLA_SWEEP_SECONDS: '1' };
      [a, b] = await Promise.all([Replica.start('A', databaseUrl, env, clock), Replica.start('B', databaseUrl, env, clock)]);
      for (const replica of [a, b]) {
        const deadlines = replica.app.get(DeadlinesService);
        const sweepOverdue = deadlines.sweepOverdue.bind(deadlines);
        deadlines.sweepOverdue = async (now: Date) => {
          const rows = await sweepOverdue(now);
          sweeps[replica.name] = (sweeps[replica.name] ?? 0) + 1;
          swept.push(...rows.map((r) => ({ replica: replica.name, id: r.id })));
          return rows;
        };
      }
      await Promise.all([a.ready(), b.ready()]);
    }, 90_000);

    afterAll(async () => {
      jest.restoreAllMocks();
      await Promise.all([a?.close(), b?.close()]);
      await engine?.close();
    });

    it('seeds the demo data once: one replica seeds, the other finds it', async () => {
      await until('both seeders to finish', async () => seedings.length, (n) => n === 2, 50_000);
      // One replica created the four cases and the aid request; the other, waiting on the lock, found them.
      expect((await Promise.all(seedings)).map((created) => created.length).sort()).toEqual([0, 5]);
      const [{ cases }] = await a.db.query(`SELECT count(*)::int AS cases FROM dibao_case WHERE county_code = $1`, [COUNTY]);
      expect(cases).toBe(4);
      const [{ requests }] = await a.db.query(`SELECT count(*)::int AS requests FROM temporary_aid_request`);
      expect(requests).toBe(1);
      const [{ credits }] = await a.db.query(`SELECT count(*)::int AS credits FROM reserve_fund_entry`);
      expect(credits).toBe(1);
      await quiet();
    });

    it('runs applications, acceptances and a decision alternately through A and B', async () => {
      const approved = await a.post(integrator, '/api/v1/dibao/applications', household('周平', '19750101', 30_000), { 'Idempotency-Key': 'replicas-1' });
      expect(approved.status).toBe(201);
      const approvedId = approved.body.caseId as string;
      // The same request retried through the other replica replays the stored answer: no second case.
      const replay = await b.post(integrator, '/api/v1/dibao/applications', household('周平', '19750101', 30_000), { 'Idempotency-Key': 'replicas-1' });
      expect(replay.status).toBe(201);
      expect(replay.body.caseId).toBe(approvedId);
      const late = await b.post(integrator, '/api/v1/dibao/applications', household('吴静', '19780202', 30_000), { 'Idempotency-Key': 'replicas-2' });
      expect(late.status).toBe(201);
      const lateId = late.body.caseId as string;

      await b.complete(approvedId, 'Task_accept', caseworker, { materialsComplete: true });
      await a.complete(lateId, 'Task_accept', caseworker, { materialsComplete: true });
      await untilStatus(a, approvedId, 'accepted');
      await untilStatus(b, lateId, 'accepted');

      await a.complete(approvedId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
      await b.complete(approvedId, 'Task_proposal', caseworker, { proposal: 'approve', proposalReasons: '依据核算结果' });
      await a.complete(approvedId, 'Task_leader_decision', leader, { decision: 'approve', decisionReasons: '同意纳入' });
      const inNotice = await untilStatus(b, approvedId, 'in-notice');
      const notice = inNotice.notices.find((n: { kind: string }) => n.kind === 'public');
      await moveEngineTo(new Date(new Date(notice.endsAt).getTime() + 1_000));
      const enrolled = await untilStatus(a, approvedId, 'enrolled');
      expect(enrolled.benefitFen).toBeGreaterThan(0);
      await quiet();

      // Past the 30-working-day limit of the late case. The service clock first: both sweepers, racing, mark every
      // overdue deadline, each row by one of them. Then the engine's clock: its timers escalate through the workers.
      // A week at a time, as time passes (each monthly payment start on the 25th fires in its own step), to a day before.
      for (let at = new Date(clock.current.getTime() + 7 * DAY); at < PAST_PROCEDURE_DEADLINE; at = new Date(at.getTime() + 7 * DAY)) {
        await moveEngineTo(at);
        await quiet();
      }
      const breachedIds = async () => ((await a.db.query(`SELECT id::text FROM deadline WHERE breached_at IS NOT NULL`)) as { id: string }[]).map((r) => r.id).sort();
      const breachedBefore = new Set(await breachedIds());
      const sweptBefore = swept.length;
      clock.current = PAST_PROCEDURE_DEADLINE;
      const sweepers = [a, b].map((r) => r.app.get(DeadlineSweeper));
      for (let round = 0; round < 3; round++) await Promise.all(sweepers.map((s) => s.sweep()));
      const newlyBreached = (await breachedIds()).filter((id) => !breachedBefore.has(id));
      expect(newlyBreached.length).toBeGreaterThan(0);
      // Every row the sweepers marked was reported by exactly one sweep of one replica (the background ones included).
      expect(swept.slice(sweptBefore).map((x) => x.id).sort()).toEqual(newlyBreached);
      await moveEngineTo(PAST_PROCEDURE_DEADLINE);
      const breached = await until(`the breach of ${lateId}`, () => b.readCase(lateId, caseworker), (c) => c.timeline.some((e: { kind: string }) => e.kind === 'deadline-breached'));
      expect(breached.deadlines.find((d: { type: string }) => d.type === 'dibao.procedure').breachedAt).toBe('2026-10-30T15:59:59.999Z');
      await a.taskOf(lateId, 'Task_county_follow_up', county);
      await quiet();
      // Both background loops have their turn (a sweep a second) after the escalations.
      const before = { ...sweeps };
      await until('a background sweep of each replica', async () => ({ ...sweeps }), (n) => n.A! > before.A! && n.B! > before.B!);
      // Both reconcilers at once: nothing to repair, nothing cancelled, no start command written.
      const rounds = await Promise.all([a, b].map((r) => r.app.get(OutboxReconciler).reconcile()));
      for (const round of rounds) expect(round).toMatchObject({ enqueued: [], cancelled: [], orphans: [] });
      await quiet();

      // Each breach row marked by exactly one sweep, and escalated (timeline, audit, follow-up) once.
      const ids = swept.map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      const escalated = await a.db.query(`SELECT subject_id, count(*)::int AS n FROM deadline WHERE type = 'dibao.procedure' AND escalated_at IS NOT NULL GROUP BY subject_id`);
      expect(escalated).toContainEqual({ subject_id: lateId, n: 1 });
      const breachEvents = await a.db.query(`SELECT case_id::text, count(*)::int AS n FROM dibao_event WHERE kind = 'deadline-breached' GROUP BY case_id`);
      expect(breachEvents).toContainEqual({ case_id: lateId, n: 1 });
      const breachAudit = await a.db.query(`SELECT subject_id, count(*)::int AS n FROM audit_event WHERE action = 'dibao.deadline-breached' GROUP BY subject_id`);
      expect(breachAudit).toContainEqual({ subject_id: lateId, n: 1 });
      expect(await a.db.query(`SELECT subject_id FROM deadline WHERE type = 'dibao.follow-up' GROUP BY subject_id HAVING count(*) > 1`)).toEqual([]);
      for (const e of escalated as { subject_id: string; n: number }[]) expect(e.n).toBe(1);
      for (const e of breachEvents as { case_id: string; n: number }[]) expect(e.n).toBe(1);
      for (const e of breachAudit as { subject_id: string; n: number }[]) expect(e.n).toBe(1);
    }, 120_000);

    it('leaves no doubled work anywhere', async () => {
      // Migrations: each once.
      const names = await migrationRows(a.db);
      expect(names).toHaveLength(MIGRATIONS.length);
      expect(new Set(names).size).toBe(names.length);

      // One instance per case and per aid request, the one its row points at.
      const camunda = strictClient(engine.url);
      const instancesOf = async (processId: string, subjectId: string) => {
        const { items } = await camunda.searchVariables({ filter: { name: 'subjectId', value: JSON.stringify(subjectId) }, page: { limit: 100 } } as never, { consistency: { waitUpToMs: 0 } });
        const keys = [...new Set(items.filter((v) => String(v.scopeKey) === String(v.processInstanceKey)).map((v) => String(v.processInstanceKey)))];
        if (keys.length === 0) return [];
        const { items: instances } = await camunda.searchProcessInstances({ filter: { processInstanceKey: { $in: keys }, processDefinitionId: processId } } as never, { consistency: { waitUpToMs: 0 } });
        return instances.map((i) => String(i.processInstanceKey));
      };
      const cases: { id: string; process_instance_key: string | null }[] = await a.db.query(`SELECT id::text, process_instance_key FROM dibao_case`);
      expect(cases).toHaveLength(6);
      for (const c of cases) expect(await instancesOf(DIBAO_PROCESS_ID, c.id)).toEqual([c.process_instance_key]);
      const requests: { id: string; process_instance_key: string | null }[] = await a.db.query(`SELECT id::text, process_instance_key FROM temporary_aid_request`);
      expect(requests).toHaveLength(1);
      for (const r of requests) expect(await instancesOf(TEMPORARY_AID_PROCESS_ID, r.id)).toEqual([r.process_instance_key]);

      // The outbox: one start per subject, each dispatched once, its instance the one on the row; every message sent.
      const starts: { business_key: string; subject_id: string; result: { processInstanceKey: string } | null; dispatched_at: Date | null }[] = await a.db.query(
        `SELECT business_key, subject_id, result, dispatched_at FROM engine_outbox WHERE kind = 'start-process'`,
      );
      expect(new Set(starts.map((s) => s.business_key)).size).toBe(starts.length);
      expect(starts).toHaveLength(cases.length + requests.length);
      for (const row of [...cases, ...requests]) {
        const start = starts.find((s) => s.subject_id === row.id);
        expect(start?.dispatched_at).not.toBeNull();
        expect(start?.result?.processInstanceKey).toBe(row.process_instance_key);
      }
      expect(await a.db.query(`SELECT id FROM engine_outbox WHERE dispatched_at IS NULL`)).toEqual([]);

      // No doubled timeline event, audit row, deadline, task completion or payment line.
      expect(await a.db.query(`SELECT case_id, kind, at FROM dibao_event GROUP BY case_id, kind, at, actor_id, details::text HAVING count(*) > 1`)).toEqual([]);
      expect(await a.db.query(`SELECT request_id, kind FROM temporary_aid_event GROUP BY request_id, kind, at, actor_id, details::text HAVING count(*) > 1`)).toEqual([]);
      expect(
        await a.db.query(`SELECT action, subject_id FROM audit_event GROUP BY occurred_at, actor_id, action, subject_type, subject_id, details::text HAVING count(*) > 1`),
      ).toEqual([]);
      expect(await a.db.query(`SELECT subject_id, type FROM deadline GROUP BY subject_type, subject_id, type, started_at HAVING count(*) > 1`)).toEqual([]);
      expect(await a.db.query(`SELECT user_task_key FROM task_completion WHERE outcome = 'completed' GROUP BY user_task_key HAVING count(*) > 1`)).toEqual([]);
      expect(await a.db.query(`SELECT user_task_key FROM task_completion WHERE settled_at IS NULL OR outcome <> 'completed'`)).toEqual([]);
      // Each completed task has its one audit row.
      const [{ completions }] = await a.db.query(`SELECT count(*)::int AS completions FROM task_completion`);
      const [{ audited }] = await a.db.query(`SELECT count(*)::int AS audited FROM audit_event WHERE action = 'task.completed'`);
      expect(audited).toBe(completions);
    });

    /** The case whose start command the reconcilers write again; accepted before the notice arrives. */
    let caseId: string;

    it('both reconcilers at once: a missing start is written once, a ghost cancelled once', async () => {
      caseId = await a.post(integrator, '/api/v1/dibao/applications', household('郑强', '19690909', 0), { 'Idempotency-Key': 'replicas-3' }).then((r) => r.body.caseId as string);
      const [{ process_instance_key: original }] = await a.db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId]);
      expect(original).toMatch(/^\d+$/);
      // The state a case from before the outbox leaves: no instance, no start command.
      await a.db.query(`DELETE FROM engine_outbox WHERE subject_id = $1`, [caseId]);
      await strictClient(engine.url).cancelProcessInstance({ processInstanceKey: original as never });
      await a.db.query(`UPDATE dibao_case SET process_instance_key = NULL WHERE id = $1`, [caseId]);

      // Both look at once: one writes the start, the other sees it or is refused by the unique index — no error.
      const [fromA, fromB] = await Promise.all([a, b].map((r) => r.app.get(OutboxReconciler).enqueueMissingStarts()));
      expect([...fromA!, ...fromB!]).toEqual([`dibao-case:${caseId}`]);
      // A replica that read before the other's write (its view stale): the index refuses its row, a harmless skip.
      jest.spyOn(b.app.get(OutboxRepository), 'subjectsWithStart').mockResolvedValueOnce(new Set());
      expect(await b.app.get(OutboxReconciler).enqueueMissingStarts()).toEqual([]);
      expect(await a.db.query(`SELECT id FROM engine_outbox WHERE subject_id = $1 AND kind = 'start-process'`, [caseId])).toHaveLength(1);
      // Both dispatchers at once start one instance.
      await a.db.query(`UPDATE engine_outbox SET next_attempt_at = now() WHERE subject_id = $1`, [caseId]);
      await Promise.all([a, b].map((r) => r.app.get(OutboxDispatcher).runOnce()));
      const [{ process_instance_key: restarted }] = await a.db.query(`SELECT process_instance_key FROM dibao_case WHERE id = $1`, [caseId]);
      expect(restarted).toMatch(/^\d+$/);
      expect(restarted).not.toBe(original);
      const { items: active } = await strictClient(engine.url).searchProcessInstances({ filter: { processInstanceKey: restarted, state: 'ACTIVE' } } as never, { consistency: { waitUpToMs: 0 } });
      expect(active).toHaveLength(1);

      // A ghost (an instance whose case is not ours) seen by both: cancelled by one, not listed by the other.
      const ghostSubject = '00000000-0000-4000-8000-0000000000aa';
      const ghost = await strictClient(engine.url).createProcessInstance({
        processDefinitionId: DIBAO_PROCESS_ID as never,
        variables: { caseId: ghostSubject, subjectId: ghostSubject, subjectType: 'dibao-case', regionCode: VILLAGE, villageCode: VILLAGE, townshipCode: VILLAGE.slice(0, 9), countyCode: COUNTY, requestType: 'household', relativesCase: false, objectionRaised: false, acceptDueAt: '2026-11-30T00:00:00.000Z' },
      });
      const ghostKey = String(ghost.processInstanceKey);
      await until(
        'the ghost at its first task',
        async () => (await strictClient(engine.url).searchUserTasks({ filter: { processInstanceKey: ghostKey, elementId: 'Task_accept', state: 'CREATED' } } as never, { consistency: { waitUpToMs: 0 } })).items,
        (tasks) => tasks.length === 1,
      );
      const rounds = await Promise.all([a, b].map((r) => r.app.get(OutboxReconciler).reconcile()));
      expect(rounds.flatMap((r) => r.cancelled)).toEqual([ghostKey]);
      expect(rounds.flatMap((r) => r.orphans)).toEqual([]);
      expect(rounds.flatMap((r) => r.enqueued)).toEqual([]);
      const { items } = await strictClient(engine.url).searchProcessInstances({ filter: { processInstanceKey: ghostKey } } as never, { consistency: { waitUpToMs: 0 } });
      expect(items[0]?.state).toBe('TERMINATED');

      // The background loop's round is skipped while another process reconciles (it holds the lock).
      const holder = a.db.createQueryRunner();
      await holder.connect();
      try {
        await holder.query(`SELECT pg_advisory_lock($1)`, [RECONCILE_LOCK_KEY]);
        expect(await b.app.get(OutboxReconciler).reconcile({ wait: false })).toMatchObject({ skipped: true, enqueued: [], cancelled: [] });
        await holder.query(`SELECT pg_advisory_unlock($1)`, [RECONCILE_LOCK_KEY]);
      } finally {
        await holder.release();
      }
      expect((await b.app.get(OutboxReconciler).reconcile({ wait: false })).skipped).toBeUndefined();
    });

    it('a holiday notice loaded through A while B refreshes: each deadline re-timed once, each timer move published once', async () => {
      // Accepted on Friday 2026-10-30: its 30 working days (and the engine timers on them) run through November.
      await b.complete(caseId, 'Task_accept', caseworker, { materialsComplete: true });
      await untilStatus(a, caseId, 'accepted');
      await quiet();
      const published: string[] = [];
      for (const replica of [a, b]) {
        const camunda = replica.app.get<CamundaClient>(CAMUNDA_CLIENT);
        const publish = camunda.publishMessage.bind(camunda);
        jest.spyOn(camunda, 'publishMessage').mockImplementation((message: Parameters<CamundaClient['publishMessage']>[0]) => {
          if (message.name === DEADLINE_MOVED_MESSAGE) published.push(String(message.messageId));
          return publish(message);
        });
      }
      // 2026's notice again, with a made-up extra holiday on Monday and Tuesday 2–3 November: the open deadlines
      // counted through those days (the acceptance of the case applied just before) move by two working days.
      const notice = {
        title: '国务院办公厅关于2026年部分节假日安排的通知（测试用：另加两天虚构假日）',
        number: null,
        date: '2025-11-04',
        holidays: [
          { name: "元旦 New Year's Day", from: '2026-01-01', to: '2026-01-03' },
          { name: '春节 Spring Festival', from: '2026-02-15', to: '2026-02-23' },
          { name: '清明节 Qingming Festival', from: '2026-04-04', to: '2026-04-06' },
          { name: '劳动节 Labour Day', from: '2026-05-01', to: '2026-05-05' },
          { name: '端午节 Dragon Boat Festival', from: '2026-06-19', to: '2026-06-21' },
          { name: '中秋节 Mid-Autumn Festival', from: '2026-09-25', to: '2026-09-27' },
          { name: '国庆节 National Day', from: '2026-10-01', to: '2026-10-07' },
          { name: '测试假日 made-up holiday', from: '2026-11-02', to: '2026-11-03' },
        ],
        workdays: [
          { date: '2026-01-04', for: "元旦 New Year's Day" },
          { date: '2026-02-14', for: '春节 Spring Festival' },
          { date: '2026-02-28', for: '春节 Spring Festival' },
          { date: '2026-05-09', for: '劳动节 Labour Day' },
          { date: '2026-09-20', for: '国庆节 National Day' },
          { date: '2026-10-10', for: '国庆节 National Day' },
        ],
      };
      const admin: Actor = { roles: [Role.CalendarAdmin], region: '410000', id: 'henan-calendar' };
      const notices = [a, b].map((r) => r.app.get(CalendarNotices));
      const token = await a.token(admin);
      // B refreshes again and again (as its 30-second loop would, only faster) while A loads the notice.
      let loading = true;
      const refreshing = [0, 1, 2].map(async () => {
        while (loading) await notices[1]!.tick();
      });
      const loaded = await request(a.app.getHttpServer()).put('/api/v1/calendar/years/2026').set('Authorization', `Bearer ${token}`).send(notice);
      loading = false;
      await Promise.all(refreshing);
      expect(loaded.status).toBe(200);
      await Promise.all(notices.map((n) => n.tick()));
      await Promise.all(notices.map((n) => n.tick()));

      // Each deadline re-timed once (by A's load or B's refresh, never back and forth), the accepted case's among them;
      // each of its timer moves queued once and published once.
      const histories: { id: string; subject_id: string; type: string; due_history: unknown[] }[] = await a.db.query(
        `SELECT id::text, subject_id, type, due_history FROM deadline WHERE jsonb_array_length(due_history) > 0`,
      );
      expect(histories).toContainEqual(expect.objectContaining({ subject_id: caseId, type: 'dibao.procedure' }));
      for (const h of histories) expect(h.due_history).toHaveLength(1);
      const moves: { id: string; published_at: Date | null }[] = await a.db.query(`SELECT id::text, published_at FROM deadline_timer_move`);
      expect(moves.length).toBeGreaterThan(0);
      expect(await a.db.query(`SELECT deadline_id, variable FROM deadline_timer_move GROUP BY deadline_id, variable, due_at HAVING count(*) > 1`)).toEqual([]);
      for (const move of moves) expect(move.published_at).not.toBeNull();
      expect(published.sort()).toEqual(moves.map((m) => `deadline-moved:${m.id}`).sort());
      // Both replicas count on the new calendar.
      for (const replica of [a, b]) expect(replica.app.get(HolidayCalendar).basis(2026)).toBe(loaded.body.basis);
    });
  });
});
