import request from 'supertest';
import * as iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { AppConfig } from '../src/config/app-config';
import { PayrollService } from '../src/payments/payroll.service';
import { seedEnrolments } from './support/enrolments';
import { type Actor, idNumber, Scenario } from './support/scenario';

/** Real files fit (issue 16): county-sized CSV files as text/csv or multipart, limits per route, the bank file's encoding. */
describe('CSV files', () => {
  const COUNTY = '410821';
  const bank: Actor = { roles: [Role.Bank], region: COUNTY, id: 'bank' };
  const finance: Actor = { roles: [Role.CountyFinance], region: COUNTY, id: 'finance' };
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county' };
  let s: Scenario;
  let db: DataSource;
  let payroll: PayrollService;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-28T01:00:00Z'));
    db = s.app.get(DataSource);
    payroll = s.app.get(PayrollService);
    for (const actor of [bank, county]) tokens.set(actor, await s.token(actor));
  });
  afterAll(async () => {
    await s?.close();
  }, 180_000);

  const tokens = new Map<Actor, string>();
  const post = (actor: Actor, path: string) => request(s.app.getHttpServer()).post(path).set('Authorization', `Bearer ${tokens.get(actor)}`);
  const bytes = (res: request.Response): Buffer => res.body as Buffer;
  const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  };

  it('takes a 60,000-line bank-results file as text/csv, after a bank file with a BOM (or GBK, or none)', async () => {
    await seedEnrolments(db, { countyCode: COUNTY, count: 60_000, fromMonth: '2026-10-01', prefix: 'BIG' });
    const cycle = await payroll.openCycle(COUNTY, '2026-10', new Date());
    const { lineCount } = await payroll.generate(cycle.id);
    expect(lineCount).toBe(60_000);
    const path = `/api/v1/payment-cycles/${cycle.id}/bank-file`;

    const file = await request(s.app.getHttpServer()).get(path).set('Authorization', `Bearer ${await s.token(finance)}`).buffer(true).parse(binary);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toContain(`filename="payroll-${COUNTY}-2026-10.csv"`);
    expect(bytes(file).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = bytes(file).subarray(3).toString('utf8');
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(60_001);
    expect(lines[1]).toContain('受助人');

    const plain = await request(s.app.getHttpServer()).get(`${path}?bom=false`).set('Authorization', `Bearer ${await s.token(finance)}`).buffer(true).parse(binary);
    expect(bytes(plain).toString('utf8')).toBe(text);
    const gbk = await request(s.app.getHttpServer()).get(`${path}?encoding=gbk`).set('Authorization', `Bearer ${await s.token(finance)}`).buffer(true).parse(binary);
    expect(gbk.headers['content-type']).toBe('text/csv; charset=gbk');
    expect(gbk.headers['content-disposition']).toContain(`filename="payroll-${COUNTY}-2026-10-gbk.csv"`);
    expect(iconv.decode(bytes(gbk), 'gbk')).toBe(text);
    expect(bytes(gbk).includes(Buffer.from('受助人', 'utf8'))).toBe(false);
    const wrongQuery = await s.get(finance, `${path}?encoding=latin1`);
    expect(wrongQuery.status).toBe(400);
    expect(wrongQuery.body.errors[0].field).toBe('encoding');

    const ids = lines.slice(1).map((l) => l.split(',')[0]!);
    const results = ['line_id,result,message', ...ids.map((id, i) => `${id},${i % 1000 === 0 ? 'failed' : 'paid'},${i % 1000 === 0 ? '账户冻结' : ''}`)].join('\n');
    const url = `/api/v1/payment-cycles/${cycle.id}/bank-results`;

    // A wrong type names what is accepted; a file over the route's limit names the limit; neither changes anything.
    const wrongType = await post(bank, url).set('Content-Type', 'text/plain').send(results);
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers['content-type']).toContain('application/problem+json');
    expect(wrongType.body.detail).toContain('text/csv');
    const config = s.app.get(AppConfig);
    const limit = config.BANK_RESULTS_LIMIT_BYTES;
    config.BANK_RESULTS_LIMIT_BYTES = 100_000;
    try {
      const tooLarge = await post(bank, url).set('Content-Type', 'text/csv').send(results);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.detail).toContain('BANK_RESULTS_LIMIT_BYTES');
      const tooLargeUpload = await post(bank, url).attach('file', Buffer.from(results), { filename: 'results.csv', contentType: 'text/csv' });
      expect(tooLargeUpload.status).toBe(413);
    } finally {
      config.BANK_RESULTS_LIMIT_BYTES = limit;
    }
    // JSON has its own, smaller limit.
    const json = await post(bank, url).send({ csv: results.repeat(2) });
    expect(json.status).toBe(413);
    expect(json.body.detail).toContain('JSON_BODY_LIMIT_BYTES');
    // Per-row report unchanged, from a text/csv body.
    const bad = await post(bank, url).set('Content-Type', 'text/csv').send(`${results}\n999999,paid,`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['csv[row 60001].line_id']);
    expect((await db.query(`SELECT count(*)::int AS n FROM payroll_line WHERE cycle_id = $1 AND status <> 'issued'`, [cycle.id]))[0].n).toBe(0);

    const imported = await post(bank, url).set('Content-Type', 'text/csv; charset=utf-8').send(`\uFEFF${results}`);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ issued: 0, paid: 59_940, failed: 60, returned: 0 });
  }, 300_000);

  it('takes a 200,000-line death-record import as text/csv and a small one as a multipart upload, with the per-row report', async () => {
    const url = '/api/v1/death-records/import';
    // Unique valid ID numbers: the birth date and sequence vary together (checksum from the shared helper).
    const ids: string[] = [];
    for (let i = 0; ids.length < 200_000; i++) {
      const day = new Date(Date.UTC(1930, 0, 1) + Math.floor(i / 999) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      ids.push(idNumber(COUNTY, day, String((i % 999) + 1).padStart(3, '0')));
    }
    const csv = ['id_number,name,died_on,source', ...ids.map((id) => `${id},逝者,2026-09-01,public-security`)].join('\n');
    const bad = await post(county, url).set('Content-Type', 'text/csv').send(`${csv}\n110101190001011234,某,2099-01-01,hospital`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['csv[row 200001].id_number', 'csv[row 200001].died_on', 'csv[row 200001].source']);
    const imported = await post(county, url).set('Content-Type', 'text/csv').send(csv);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 200_000 });
    expect((await db.query(`SELECT count(*)::int AS n FROM death_record`))[0].n).toBeGreaterThanOrEqual(200_000);

    const one = idNumber(COUNTY, '19290101', '001');
    const upload = await post(county, url).attach('file', Buffer.from(`\uFEFFid_number,name,died_on,source\n${one},张三,2026-09-01,health\n`), { filename: '死亡名单.csv', contentType: 'text/csv' });
    expect(upload.status).toBe(200);
    expect(upload.body).toMatchObject({ imported: 1 });
    const noFile = await post(county, url).field('note', 'x');
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0].field).toBe('file');
  }, 300_000);
});
