import { DateTime } from 'luxon';
import request from 'supertest';
import { AuditService } from '../src/audit/audit.service';
import { Role } from '../src/auth/roles';
import { maskIdNumber } from '../src/common/id-number';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * The list routes (issue 21): offset paging with a total, a sort whitelist with a stable tie-break, searches, and the
 * county's own SLA views. On today's real date: the clock starts at `new Date()`, so "today" below is the real one.
 */
describe('lists: paging, sorting, search, county SLA access', () => {
  const TOWNSHIP = '410821100';
  const VILLAGE = '410821100201';
  const OTHER_VILLAGE = '410821101202';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker' };
  const otherCaseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821101', id: 'other-caseworker' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor' };
  const countyCivilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county' };
  const otherCounty: Actor = { roles: [Role.CountyCivilAffairs], region: '410822', id: 'other-county' };
  const finance: Actor = { roles: [Role.CountyFinance], region: '410821', id: 'finance' };
  const NAMES = ['王建国', '王建军', '张_三', '李四'];
  const cases: { id: string; name: string; idNumber: string; caseNumber: string }[] = [];
  let otherTownshipCase: { id: string; idNumber: string };
  let s: Scenario;
  const now = new Date();
  const today = DateTime.fromJSDate(now, { zone: 'Asia/Shanghai' }).toISODate()!;

  beforeAll(async () => {
    s = await Scenario.start(now);
    for (const [i, name] of NAMES.entries()) {
      // A second apart: the newest-first order is the order of application (ties would fall to the id).
      await s.moveTo(new Date(now.getTime() + i * 1000));
      const body = Scenario.application(VILLAGE, name, '19600101', String(101 + i));
      const id = await s.apply(integrator, body);
      const read = await s.get(caseworker, `/api/v1/dibao/cases/${id}`);
      cases.push({ id, name, idNumber: idNumber(VILLAGE, '19600101', String(101 + i)), caseNumber: read.body.caseNumber });
    }
    const there = Scenario.application(OTHER_VILLAGE, '赵六', '19600101', '201');
    otherTownshipCase = { id: await s.apply(integrator, there), idNumber: idNumber(OTHER_VILLAGE, '19600101', '201') };
  });

  afterAll(async () => {
    await s?.close();
  });

  const ids = (body: { items: { id: string }[] }) => body.items.map((c) => c.id);
  const list = async (actor: Actor, path: string, status = 200) => {
    const response = await s.get(actor, path);
    expect({ status: response.status, body: response.status === status ? undefined : response.body }).toEqual({ status, body: undefined });
    return response.body;
  };
  const refused = async (actor: Actor, path: string, field: string) => {
    const response = await s.get(actor, path);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  };

  describe('dibao cases', () => {
    it('pages with a total: two pages of two cover the township’s four cases once each, newest first', async () => {
      const first = await list(caseworker, '/api/v1/dibao/cases?limit=2');
      expect(first).toMatchObject({ total: 4, offset: 0, limit: 2, truncated: true });
      expect(first.items).toHaveLength(2);
      const second = await list(caseworker, '/api/v1/dibao/cases?limit=2&offset=2');
      expect(second).toMatchObject({ total: 4, offset: 2, limit: 2, truncated: false });
      expect([...ids(first), ...ids(second)]).toEqual(cases.map((c) => c.id).reverse());
      expect((await list(caseworker, '/api/v1/dibao/cases?offset=4')).items).toEqual([]);
      // The default page: 50, and the county sees the other township's case too.
      expect(await list(countyCivilAffairs, '/api/v1/dibao/cases')).toMatchObject({ total: 5, limit: 50, offset: 0 });
      expect(first.items[0]).not.toHaveProperty('household');
    });

    it('sorts by a whitelisted field in either order, ties broken by id so pages never repeat a case', async () => {
      const ascending = await list(countyCivilAffairs, '/api/v1/dibao/cases?sort=caseNumber&order=asc');
      const numbers = ascending.items.map((c: { caseNumber: string }) => c.caseNumber);
      expect(numbers).toEqual([...numbers].sort());
      expect((await list(countyCivilAffairs, '/api/v1/dibao/cases?sort=caseNumber&order=desc')).items.map((c: { caseNumber: string }) => c.caseNumber)).toEqual([...numbers].reverse());
      // Every case has the same status: one by one, the tie-break alone (the id, in the same order) orders the pages.
      const walked: string[] = [];
      for (let offset = 0; offset < 5; offset++) walked.push(...ids(await list(countyCivilAffairs, `/api/v1/dibao/cases?sort=status&order=asc&limit=1&offset=${offset}`)));
      expect(walked).toEqual([...cases.map((c) => c.id), otherTownshipCase.id].sort());
    });

    it('finds a case by its number from the start, not from the middle', async () => {
      const [a] = cases;
      expect(ids(await list(caseworker, `/api/v1/dibao/cases?caseNumber=${a!.caseNumber}`))).toEqual([a!.id]);
      expect((await list(caseworker, `/api/v1/dibao/cases?caseNumber=${a!.caseNumber.slice(0, 8)}`)).total).toBe(4);
      expect((await list(caseworker, `/api/v1/dibao/cases?caseNumber=${a!.caseNumber.slice(2)}`)).total).toBe(0);
    });

    it('finds by part of the name, a LIKE wildcard matching itself only', async () => {
      expect(ids(await list(caseworker, `/api/v1/dibao/cases?name=${encodeURIComponent('建')}&sort=caseNumber&order=asc`))).toEqual([cases[0]!.id, cases[1]!.id]);
      expect(ids(await list(caseworker, `/api/v1/dibao/cases?name=_`))).toEqual([cases[2]!.id]);
      expect((await list(caseworker, `/api/v1/dibao/cases?name=%25`)).total).toBe(0);
    });

    it('finds by the masked ID number (any role of the list) and by the full one (caseworkers, leaders, county civil affairs)', async () => {
      const b = cases[1]!;
      expect(maskIdNumber(b.idNumber)).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
      for (const actor of [caseworker, supervisor, integrator]) {
        expect(ids(await list(actor, `/api/v1/dibao/cases?idNumber=${encodeURIComponent(maskIdNumber(b.idNumber))}`))).toEqual([b.id]);
      }
      for (const actor of [caseworker, countyCivilAffairs, { roles: [Role.TownshipLeader], region: TOWNSHIP }]) {
        expect(ids(await list(actor, `/api/v1/dibao/cases?idNumber=${b.idNumber}`))).toEqual([b.id]);
      }
      // Region scope holds for a full number too: the other township's caseworker finds nothing of ours.
      expect((await list(otherCaseworker, `/api/v1/dibao/cases?idNumber=${b.idNumber}`)).total).toBe(0);
      expect(ids(await list(otherCaseworker, `/api/v1/dibao/cases?idNumber=${otherTownshipCase.idNumber}`))).toEqual([otherTownshipCase.id]);
      for (const actor of [supervisor, integrator, { roles: [Role.VillageCommittee], region: VILLAGE }]) {
        const response = await s.get(actor, `/api/v1/dibao/cases?idNumber=${b.idNumber}`);
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ code: 'id-number-search-forbidden', title: expect.stringContaining('idNumber') });
        // The refusal names the request it refused without handing the number back.
        expect(JSON.stringify(response.body)).not.toContain(b.idNumber);
      }
    });

    it('refuses bad parameters with a 400 naming each', async () => {
      await refused(caseworker, '/api/v1/dibao/cases?limit=0', 'limit');
      await refused(caseworker, '/api/v1/dibao/cases?limit=201', 'limit');
      await refused(caseworker, '/api/v1/dibao/cases?limit=ten', 'limit');
      await refused(caseworker, '/api/v1/dibao/cases?offset=-1', 'offset');
      await refused(caseworker, '/api/v1/dibao/cases?sort=household', 'sort');
      await refused(caseworker, '/api/v1/dibao/cases?order=up', 'order');
      await refused(caseworker, '/api/v1/dibao/cases?idNumber=410821', 'idNumber');
      await refused(caseworker, `/api/v1/dibao/cases?idNumber=${encodeURIComponent('410821*******10113')}`, 'idNumber');
      await refused(caseworker, '/api/v1/dibao/cases?colour=red', 'colour');
    });
  });

  describe('audit events', () => {
    const subjectId = `lists-${Date.now()}`;
    // The edges of today in Asia/Shanghai, whatever the server's zone: a bare date is that day there.
    const dayStart = DateTime.fromISO(today, { zone: 'Asia/Shanghai' });
    const instants = [dayStart.minus({ milliseconds: 1 }), dayStart, dayStart.plus({ days: 1 }).minus({ milliseconds: 1 }), dayStart.plus({ days: 1 })].map((d) => d.toJSDate());

    beforeAll(async () => {
      const audit = s.app.get(AuditService);
      const after = s.clock.current;
    for (const [i, at] of instants.entries()) {
        s.clock.current = at;
        await audit.record({ actor: { id: i % 2 ? 'odd-actor' : 'even-actor' }, regionCode: VILLAGE, action: i < 2 ? 'lists.first' : 'lists.second', subjectType: 'lists-test', subjectId });
      }
      s.clock.current = after;
    });

    const events = (query: string) => list(countyCivilAffairs, `/api/v1/audit-events?subjectType=lists-test&subjectId=${subjectId}&${query}`);
    const times = (body: { items: { occurredAt: string }[] }) => body.items.map((e) => e.occurredAt);

    it('a bare date is that whole day in Asia/Shanghai; a date-time with its offset is exact', async () => {
      expect(times(await events(`from=${today}&to=${today}&order=asc&sort=occurredAt`))).toEqual([instants[1]!.toISOString(), instants[2]!.toISOString()]);
      expect((await events(`from=${today}`)).total).toBe(3);
      expect((await events(`to=${today}`)).total).toBe(3);
      const offset = encodeURIComponent(dayStart.toISO()!);
      expect(times(await events(`to=${offset}`))).toEqual([instants[0]!.toISOString()]);
      // An unencoded '+' arrives as a space: still the offset.
      expect((await events(`from=${dayStart.toISO()!.replace(/\.\d{3}/, '')}`)).total).toBe(3);
    });

    it('filters by actor, action and subject; pages with a total instead of a cap', async () => {
      expect((await events('actor=odd-actor')).total).toBe(2);
      expect((await events('action=lists.second&actor=odd-actor')).items).toEqual([expect.objectContaining({ occurredAt: instants[3]!.toISOString(), actorId: 'odd-actor', action: 'lists.second' })]);
      const first = await events('limit=3');
      expect(first).toMatchObject({ total: 4, limit: 3, truncated: true });
      expect(times(first)).toEqual(instants.slice(1).map((d) => d.toISOString()).reverse());
      expect(times(await events('limit=3&offset=3'))).toEqual([instants[0]!.toISOString()]);
      expect((await events('sort=actorId&order=asc')).items.map((e: { actorId: string }) => e.actorId)).toEqual(['even-actor', 'even-actor', 'odd-actor', 'odd-actor']);
      // The applications of the cases above, by the integrator, today.
      expect((await list(countyCivilAffairs, `/api/v1/audit-events?actor=portal&action=dibao.applied&from=${today}`)).total).toBe(5);
      expect((await list({ roles: [Role.CountyCivilAffairs], region: '410821101' }, `/api/v1/audit-events?actor=portal&action=dibao.applied`)).total).toBe(1);
    });

    it('refuses bad dates and ranges naming the field', async () => {
      await refused(countyCivilAffairs, '/api/v1/audit-events?from=2026-02-30', 'from');
      await refused(countyCivilAffairs, '/api/v1/audit-events?from=2026-12-04T10:00:00', 'from');
      await refused(countyCivilAffairs, '/api/v1/audit-events?to=yesterday', 'to');
      await refused(countyCivilAffairs, `/api/v1/audit-events?from=${today}&to=${dayStart.minus({ days: 1 }).toISODate()}`, 'to');
      await refused(countyCivilAffairs, '/api/v1/audit-events?limit=1000', 'limit');
      await refused(countyCivilAffairs, '/api/v1/audit-events?sort=details', 'sort');
    });
  });

  describe('SLA views', () => {
    it('county civil affairs read their county’s deadlines, summary and incidents; not another county’s; no retry', async () => {
      const deadlines = await list(countyCivilAffairs, '/api/v1/sla/deadlines?type=dibao.acceptance&limit=2');
      expect(deadlines).toMatchObject({ total: 5, limit: 2, truncated: true });
      expect(deadlines.items).toHaveLength(2);
      expect((await list(countyCivilAffairs, '/api/v1/sla/deadlines?type=dibao.acceptance&status=open')).total).toBe(5);
      expect((await list(countyCivilAffairs, '/api/v1/sla/deadlines?type=dibao.acceptance&status=breached')).total).toBe(0);
      expect((await list(countyCivilAffairs, '/api/v1/sla/deadlines?type=dibao.acceptance&status=at-risk')).total).toBe(0);
      const all = await list(countyCivilAffairs, '/api/v1/sla/deadlines?type=dibao.acceptance');
      // Due on a day in Asia/Shanghai (the acceptance ends at that day's 24:00 there, 16:00 UTC): a bare date is that day.
      const dueDay = DateTime.fromISO(all.items[0].dueAt, { zone: 'Asia/Shanghai' }).toISODate()!;
      const dayBefore = DateTime.fromISO(dueDay).minus({ days: 1 }).toISODate();
      expect((await list(countyCivilAffairs, `/api/v1/sla/deadlines?type=dibao.acceptance&from=${dueDay}&to=${dueDay}`)).total).toBe(5);
      expect((await list(countyCivilAffairs, `/api/v1/sla/deadlines?type=dibao.acceptance&to=${dayBefore}`)).total).toBe(0);
      await refused(countyCivilAffairs, `/api/v1/sla/deadlines?from=${dueDay}T00:00:00`, 'from');
      expect(all.items.map((d: { subjectId: string }) => d.subjectId).sort()).toEqual([...cases.map((c) => c.id), otherTownshipCase.id].sort());
      expect((await list(countyCivilAffairs, '/api/v1/sla/summary')).map((l: { region: string }) => l.region).sort()).toEqual(['410821100', '410821101']);
      expect(await list(countyCivilAffairs, '/api/v1/sla/incidents')).toMatchObject({ items: [], total: 0 });
      expect((await list(countyCivilAffairs, `/api/v1/sla/cases/dibao-case/${cases[0]!.id}/audit`))[0]).toMatchObject({ action: 'dibao.applied' });
      for (const path of ['/api/v1/sla/deadlines?region=410822', '/api/v1/sla/summary?region=410822', '/api/v1/sla/incidents?region=410822']) {
        expect((await s.get(countyCivilAffairs, path)).status).toBe(403);
      }
      expect((await list(otherCounty, '/api/v1/sla/deadlines')).total).toBe(0);
      expect(await list(otherCounty, '/api/v1/sla/summary')).toEqual([]);
      expect((await s.get(otherCounty, `/api/v1/sla/cases/dibao-case/${cases[0]!.id}/audit`)).status).toBe(404);
      expect((await s.post(countyCivilAffairs, '/api/v1/sla/incidents/2251799813685249/retry')).status).toBe(403);
      for (const actor of [caseworker, finance]) expect((await s.get(actor, '/api/v1/sla/deadlines')).status).toBe(403);
    });

    it('sorts deadlines (soonest first by default) and refuses bad parameters', async () => {
      const due = (body: { items: { dueAt: string }[] }) => body.items.map((d) => d.dueAt);
      const ascending = due(await list(supervisor, '/api/v1/sla/deadlines?limit=200'));
      expect(ascending).toEqual([...ascending].sort());
      expect(due(await list(supervisor, '/api/v1/sla/deadlines?limit=200&sort=dueAt&order=desc'))).toEqual([...ascending].reverse());
      await refused(supervisor, '/api/v1/sla/deadlines?limit=500', 'limit');
      await refused(supervisor, '/api/v1/sla/deadlines?sort=status', 'sort');
      await refused(supervisor, '/api/v1/sla/incidents?offset=x', 'offset');
    });
  });

  describe('sampling batches', () => {
    const month = DateTime.fromJSDate(now, { zone: 'Asia/Shanghai' }).startOf('month');
    const periods = [month.minus({ months: 2 }).toFormat('yyyy-MM'), month.minus({ months: 1 }).toFormat('yyyy-MM')];

    it('pages the county’s batches, newest period first', async () => {
      for (const period of periods) expect((await s.post(countyCivilAffairs, `/api/v1/sampling/batches?county=410821&period=${period}`)).status).toBe(201);
      const first = await list(countyCivilAffairs, '/api/v1/sampling/batches?limit=1');
      expect(first).toMatchObject({ total: 2, limit: 1, truncated: true, items: [expect.objectContaining({ period: periods[1] })] });
      expect((await list(countyCivilAffairs, '/api/v1/sampling/batches?limit=1&offset=1')).items).toEqual([expect.objectContaining({ period: periods[0] })]);
      expect((await list(countyCivilAffairs, '/api/v1/sampling/batches?order=asc')).items.map((b: { period: string }) => b.period)).toEqual(periods);
      expect((await list(otherCounty, '/api/v1/sampling/batches')).total).toBe(0);
      await refused(countyCivilAffairs, '/api/v1/sampling/batches?sort=seed', 'sort');
    });
  });

  it('documents every query parameter with an example, and each route’s summary and page type', async () => {
    const { body } = await request(s.app.getHttpServer()).get('/api/docs/openapi.json').expect(200);
    for (const [path, names] of Object.entries({
      '/api/v1/dibao/cases': ['limit', 'offset', 'order', 'sort', 'caseNumber', 'name', 'idNumber', 'region', 'status'],
      '/api/v1/audit-events': ['limit', 'offset', 'order', 'sort', 'from', 'to', 'actor', 'action', 'subjectType', 'subjectId', 'regionCode'],
      '/api/v1/sla/deadlines': ['limit', 'offset', 'order', 'sort', 'status', 'type', 'from', 'to', 'region'],
      '/api/v1/sla/incidents': ['limit', 'offset', 'order', 'region'],
      '/api/v1/sampling/batches': ['limit', 'offset', 'order', 'sort', 'region'],
    })) {
      const operation = body.paths[path].get;
      expect(operation.summary).toMatch(/^[\u4e00-\u9fff].* [A-Z]/u);
      const parameters = operation.parameters as { name: string; in: string; description?: string; example?: unknown; schema?: { example?: unknown } }[];
      for (const name of names) {
        const parameter = parameters.find((p) => p.name === name && p.in === 'query');
        expect({ path, name, described: !!parameter?.description, example: parameter?.example ?? parameter?.schema?.example }).toEqual({ path, name, described: true, example: expect.anything() });
      }
      const schema = operation.responses['200'].content['application/json'].schema;
      const ref = schema.$ref ?? schema.items?.$ref;
      expect(ref).toBeDefined();
      if (path !== '/api/v1/sla/summary') expect(Object.keys(body.components.schemas[ref.split('/').pop()].properties)).toEqual(expect.arrayContaining(['items', 'total', 'offset', 'limit']));
    }
  });
});
