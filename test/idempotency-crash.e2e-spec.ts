import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { idNumber, Scenario } from './support/scenario';

/** Idempotency-Key after crashes: the states a crash leaves are built in the database, then the client retries. */
describe('idempotency keys in the business transaction', () => {
  const VILLAGE = '410821100201';
  const integrator = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  let s: Scenario;
  let db: DataSource;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
    db = s.app.get(DataSource);
  });
  afterAll(async () => {
    await s?.close();
  });

  // One person per key: a second open application of the same ID number is refused (duplicate-application).
  const SEQUENCE: Record<string, string> = { 周一: '101', 周二: '102', 周三: '103', 周四: '104', 周五: '105' };
  const apply = (key: string, name = '周一') => s.post(integrator, '/api/v1/dibao/applications', Scenario.application(VILLAGE, name, '19600101', SEQUENCE[name]), { 'Idempotency-Key': key });
  const cases = async (key: string) => (await db.query(`SELECT id FROM dibao_case WHERE created_by = 'portal' AND idempotency_key = $1`, [key])) as { id: string }[];

  it('a key left in progress by a crash before the case committed holds nothing: the retry creates the case once (no 409)', async () => {
    await db.query(
      `INSERT INTO idempotency_key (actor_id, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ('portal', 'crash-before-commit', 'POST', '/api/v1/dibao/applications', 'x', 'in_progress', now(), now() + interval '24 hours')`,
    );
    const retry = await apply('crash-before-commit');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await cases('crash-before-commit')).toEqual([{ id: retry.body.caseId }]);
    const again = await apply('crash-before-commit');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(retry.body);
  });

  it('a case committed while its key stayed in progress (the old crash): the retry answers that case (no 409, no 500)', async () => {
    const first = await apply('crash-after-commit', '周二');
    expect(first.status).toBe(201);
    await db.query(`UPDATE idempotency_key SET state = 'in_progress', response_status = NULL, response_body = NULL WHERE actor_id = 'portal' AND key = 'crash-after-commit'`);
    const retry = await apply('crash-after-commit', '周二');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ caseId: first.body.caseId, caseNumber: first.body.caseNumber, processInstanceKey: first.body.processInstanceKey, acceptDueAt: first.body.acceptDueAt });
    expect(await cases('crash-after-commit')).toHaveLength(1);
  });

  it('after the TTL the key row is gone, but the retry still answers the case it created (no 500)', async () => {
    const first = await apply('expired-key', '周三');
    await db.query(`UPDATE idempotency_key SET expires_at = now() - interval '1 hour' WHERE actor_id = 'portal' AND key = 'expired-key'`);
    const retry = await apply('expired-key', '周三');
    expect(retry.status).toBe(201);
    expect(retry.body.caseId).toBe(first.body.caseId);
    expect(await cases('expired-key')).toHaveLength(1);
  });

  it('a request whose transaction dies leaves no key and no case: the retry runs once', async () => {
    // The transaction fails at its last write (the audit entry), as a crash before the commit would end it.
    // A trigger on audit_event is the owner's to create: the service role may not (test/privileges.e2e-spec.ts).
    const owner = new Client({ connectionString: s.testApp.config.DATABASE_MIGRATION_URL ?? s.testApp.databaseUrl });
    await owner.connect();
    try {
      await owner.query(`CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$`);
      await owner.query(`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_event FOR EACH ROW WHEN (NEW.action = 'dibao.applied') EXECUTE FUNCTION test_fail_audit()`);
      const failed = await apply('dies-in-transaction', '周四');
      expect(failed.status).toBe(500);
    } finally {
      await owner.query(`DROP TRIGGER IF EXISTS test_fail_audit ON audit_event`);
      await owner.query(`DROP FUNCTION IF EXISTS test_fail_audit()`);
      await owner.end();
    }
    expect(await db.query(`SELECT 1 FROM idempotency_key WHERE actor_id = 'portal' AND key = 'dies-in-transaction'`)).toEqual([]);
    expect(await cases('dies-in-transaction')).toEqual([]);
    expect(await db.query(`SELECT 1 FROM engine_outbox o WHERE NOT EXISTS (SELECT 1 FROM dibao_case c WHERE c.id::text = o.subject_id) AND o.subject_type = 'dibao-case'`)).toEqual([]);
    const retry = await apply('dies-in-transaction', '周四');
    expect(retry.status).toBe(201);
    expect(await cases('dies-in-transaction')).toHaveLength(1);
  });

  it('concurrent twins with one key create one case and give the same answer', async () => {
    const [a, b] = await Promise.all([apply('twins', '周五'), apply('twins', '周五')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.caseId).toBe(a.body.caseId);
    expect(await cases('twins')).toHaveLength(1);
  });

  it('keys are per caller for temporary aid and the reserve fund: two integrators may both use "order-1"', async () => {
    const aid = (id: string, n: number) =>
      s.post({ ...integrator, id }, '/api/v1/temporary-aid/requests', {
        regionCode: VILLAGE, channel: 'hotline', area: 'rural', applicantName: `马${n}`, applicantIdNumber: idNumber(VILLAGE, '19800101', String(300 + n)), householdSize: 3, description: '房屋失火',
      }, { 'Idempotency-Key': 'order-1' });
    const one = await aid('system-one', 1);
    const two = await aid('system-two', 2);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.body.requestId).not.toBe(one.body.requestId);
    expect((await aid('system-one', 1)).body.requestId).toBe(one.body.requestId);

    const county = (id: string) => ({ roles: [Role.CountyCivilAffairs], region: '410821', id });
    const credit = (id: string) => s.post(county(id), '/api/v1/reserve-funds/410821100/advances', { amountFen: 10000, note: '备用金' }, { 'Idempotency-Key': 'order-1' });
    const c1 = await credit('county-one');
    const c2 = await credit('county-two');
    expect([c1.status, c2.status]).toEqual([201, 201]);
    expect(c2.body.id).not.toBe(c1.body.id);
    const again = await credit('county-one');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(c1.body.id);
    expect(c2.body.balanceAfterFen).toBe(20000);
  });
});
