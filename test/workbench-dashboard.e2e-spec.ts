import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { signDevToken } from '../src/auth/dev-token';
import { Role } from '../src/auth/roles';
import { AppConfig } from '../src/config/app-config';
import { PayrollService } from '../src/payments/payroll.service';
import { PolicyProfiles, PROFILES_DIR } from '../src/policy/policy-profiles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { ensureWebBuilt, launchChromium, type LaunchedBrowser } from './support/browser';
import { seedEnrolments } from './support/enrolments';
import { type Actor, Scenario } from './support/scenario';

/**
 * Issue 19, the supervisors' dashboard and the county pages in a real browser (Debian's chromium through
 * playwright-core) against the whole service on the embedded engine, listening on a port with the built workbench.
 * An application is made through the API; the county's supervisor sees its township with one open deadline; the clock
 * passes the acceptance deadline and the sweeper records the breach; the dashboard shows it, and its number lists the
 * case. A supervisor of another county sees none of it. The county pages show a reserve fund and a payment cycle in
 * yuan, and county finance downloads the bank file. Screenshots go to docs/screenshots.
 *
 * Jiaozuo profile: acceptance within 5 working days. Monday 2026-09-14 09:00 in Shanghai: the 5th working day is the
 * make-up Sunday 20 September, due at its 24:00 (test/sla.e2e-spec.ts).
 */
const VILLAGE = '410821100201';
const TOWNSHIP = '410821100';
const COUNTY = '410821';
const FAMILY = '郑秋菊';
const START = new Date('2026-09-14T01:00:00Z');
const PAST_ACCEPTANCE = new Date('2026-09-20T16:00:00Z');
/** `npm run screenshots` keeps them in docs/screenshots; a plain test run writes them to a temporary folder. */
const SHOTS = process.env.SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'doudi-shots-'));

const integrator: Actor = { roles: [Role.Integrator], region: COUNTY, id: 'portal' };
const countyCivilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-civil-affairs' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker' };
const supervisor: Actor = { roles: [Role.Supervisor], region: COUNTY, id: 'supervisor' };

describe('the supervisors’ dashboard and the county pages in a browser', () => {
  let s: Scenario;
  let chromium: LaunchedBrowser;
  let base: string;
  const contexts: BrowserContext[] = [];
  let caseId: string;
  let caseNumber: string;
  let profilesDir: string | undefined;

  beforeAll(async () => {
    ensureWebBuilt();
    mkdirSync(SHOTS, { recursive: true });
    s = await Scenario.start(START);
    await s.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(s.app.getHttpServer().address() as AddressInfo).port}`;
    chromium = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await chromium?.close();
    await s?.close();
    if (profilesDir) rmSync(profilesDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const context = await chromium.browser.newContext({ locale: 'zh-CN', viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  /** A person of their own (a fresh browser context), signed in through the demo-user picker. */
  async function signIn(sub: string): Promise<Page> {
    const page = await newPage();
    await page.goto(`${base}/tasks`);
    await page.waitForURL(/\/signin/);
    await page.locator(`button[data-sub="${sub}"]`).click();
    await page.waitForURL(/\/tasks/);
    return page;
  }

  /** Someone who is not a demo user: the same development token, put where the sign-in puts it. */
  async function signInWithToken(claims: { sub: string; roles: Role[]; region: string }): Promise<Page> {
    const token = await signDevToken(s.app.get(AppConfig).AUTH_JWT_SECRET!, claims);
    const page = await newPage();
    await page.goto(`${base}/signin`);
    const session = JSON.stringify({ token, sub: claims.sub, roles: claims.roles, region: claims.region });
    await page.evaluate(`sessionStorage.setItem('doudi.session', ${JSON.stringify(session)})`);
    return page;
  }

  const township = (page: Page) => page.locator(`[data-testid="summary"] tr[data-region="${TOWNSHIP}"]`);
  const cell = (page: Page, status: string) => township(page).locator(`td[data-status="${status}"]`);

  it('the county supervisor sees 城关镇 with one open deadline after an application', async () => {
    caseId = await s.apply(integrator, Scenario.application(VILLAGE, FAMILY, '19620704', '321'));
    caseNumber = (await s.get({ roles: [Role.Supervisor], region: COUNTY }, `/api/v1/dibao/cases/${caseId}`)).body.caseNumber;
    expect(caseNumber).toMatch(/^DB410821-2026-\d{6}$/);

    const page = await signIn(`demo-supervisor-${COUNTY}`);
    await page.getByRole('link', { name: '督查总览' }).click();
    await page.waitForURL(/\/dashboard$/);
    await township(page).waitFor();
    await expect(township(page).textContent()).resolves.toContain('城关镇');
    await expect(cell(page, 'open').textContent()).resolves.toBe('1');
    await expect(cell(page, 'breached').textContent()).resolves.toBe('0');
    await page.locator('[data-testid="chart-regions"] canvas').waitFor();
    // The open deadline is the acceptance: by type, with its Chinese name.
    await expect(page.locator('[data-testid="by-type"] tr[data-type="dibao.acceptance"]').textContent()).resolves.toContain('低保·受理');
  });

  it('after the acceptance deadline passes and the sweeper records it, the dashboard shows one breach and its number lists the case', async () => {
    await s.moveTo(PAST_ACCEPTANCE);
    expect(await s.app.get(DeadlineSweeper).sweep()).toBe(1);

    const page = await signIn(`demo-supervisor-${COUNTY}`);
    await page.goto(`${base}/dashboard`);
    await township(page).waitFor();
    await expect(cell(page, 'breached').textContent()).resolves.toBe('1');
    await expect(cell(page, 'open').textContent()).resolves.toBe('0');
    // The breaches with their cases, on the dashboard itself.
    await expect(page.getByTestId('breaches').locator(`tr[data-subject="${caseId}"]`).textContent()).resolves.toContain(caseNumber);
    await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });

    await cell(page, 'breached').getByRole('link').click();
    await page.waitForURL(/\/dashboard\/deadlines\?/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ region: TOWNSHIP, status: 'breached' });
    const row = page.locator(`[data-testid="deadlines"] tr[data-subject="${caseId}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(caseNumber);
    await expect(row.textContent()).resolves.toContain('低保·受理');
    await expect(row.locator('td[data-status]').getAttribute('data-status')).resolves.toBe('breached');
    await expect(page.locator('[data-testid="deadlines"] tbody tr').count()).resolves.toBe(1);

    await row.getByRole('link', { name: caseNumber }).click();
    await page.waitForURL(new RegExp(`/cases/${caseId}$`));
    await page.getByTestId('case-status').waitFor();

    // Drill-down from the township row: its villages, the same breach.
    await page.goto(`${base}/dashboard`);
    await township(page).getByRole('link', { name: '城关镇' }).click();
    await page.waitForURL(/\/dashboard\?region=410821100$/);
    await page.locator(`[data-testid="summary"] tr[data-region="${VILLAGE}"] td[data-status="breached"]`).waitFor();
    await expect(page.locator(`[data-testid="summary"] tr[data-region="${VILLAGE}"] td[data-status="breached"]`).textContent()).resolves.toBe('1');

    // In English: the same numbers under English labels, the deadline type by its English name.
    await page.getByTestId('language').click();
    await expect(page.locator('[data-testid="summary"] thead').textContent()).resolves.toContain('Breached');
    await expect(page.getByTestId('dashboard-region').textContent()).resolves.toBe('Regions of 城关镇');
    await expect(page.locator('[data-testid="by-type"] tr[data-type="dibao.acceptance"]').textContent()).resolves.toContain('Dibao · acceptance');
  });

  it('county civil affairs open the dashboard of their county from the navigation: the same breach, the deadlines paged', async () => {
    const page = await signIn(`demo-county-civil-affairs-${COUNTY}`);
    await page.getByRole('link', { name: '督查总览' }).click();
    await page.waitForURL(/\/dashboard$/);
    await township(page).waitFor();
    await expect(cell(page, 'breached').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('breaches').locator(`tr[data-subject="${caseId}"]`).textContent()).resolves.toContain(caseNumber);
    await expect(page.getByTestId('breaches').textContent()).resolves.toContain('全部 1 条超期记录');
    await page.goto(`${base}/dashboard/deadlines?region=${TOWNSHIP}&status=breached`);
    await page.locator(`[data-testid="deadlines"] tr[data-subject="${caseId}"]`).waitFor();
    // One page holds them all: no pager.
    expect(await page.getByTestId('deadlines-pager').count()).toBe(0);
    // Pages of one: the breached acceptance and another family's open one, one after the other.
    await s.apply(integrator, Scenario.application(VILLAGE, '陈秀兰', '19630305', '323'));
    const total = (await s.get(countyCivilAffairs, `/api/v1/sla/deadlines?region=${TOWNSHIP}`)).body.total as number;
    expect(total).toBeGreaterThan(1);
    await page.goto(`${base}/dashboard/deadlines?region=${TOWNSHIP}&limit=1`);
    // The page fetches after it renders: wait for the range it shows, never read it once.
    await page.getByTestId('deadlines-range').filter({ hasText: `第 1–1 条，共 ${total} 条` }).waitFor();
    const first = await page.locator('[data-testid="deadlines"] tbody tr').getAttribute('data-deadline');
    await page.getByTestId('deadlines-pager').getByRole('button', { name: '下一页' }).click();
    await page.waitForURL(/offset=1/);
    await page.getByTestId('deadlines-range').filter({ hasText: `第 2–2 条，共 ${total} 条` }).waitFor();
    await expect(page.locator('[data-testid="deadlines"] tbody tr').getAttribute('data-deadline')).resolves.not.toBe(first);
  });

  it('a supervisor of another county sees none of it', async () => {
    const page = await signInWithToken({ sub: 'supervisor-410882', roles: [Role.Supervisor], region: '410882' });
    await page.goto(`${base}/dashboard`);
    await page.getByTestId('dashboard-empty').waitFor();
    expect(await page.locator('[data-testid="summary"]').count()).toBe(0);
    await expect(page.locator('main').textContent()).resolves.not.toContain('城关镇');
    await page.goto(`${base}/dashboard/deadlines?status=breached`);
    await page.getByText('没有符合条件的办理时限').waitFor();
    await expect(page.locator('main').textContent()).resolves.not.toContain(caseNumber);
    // Another county's township is outside its region: the API refuses, the page says so.
    await page.goto(`${base}/dashboard/deadlines?region=${TOWNSHIP}&status=breached`);
    await page.locator('.error').first().waitFor();
    await expect(page.locator('main').textContent()).resolves.not.toContain(caseNumber);
  });

  it('the county pages: reserve funds with balance and ledger, a payment cycle with calendar and totals in yuan, the bank file for finance', async () => {
    const advance = await s.post(countyCivilAffairs, `/api/v1/reserve-funds/${TOWNSHIP}/advances`, { amountFen: 500_000, note: '2026年第三季度备用金' }, { 'Idempotency-Key': 'dashboard-e2e-advance' });
    expect(advance.status).toBe(201);
    await seedEnrolments(s.app.get(DataSource), { countyCode: COUNTY, count: 3, fromMonth: '2026-10-01', prefix: 'WB' });
    const payroll = s.app.get(PayrollService);
    const october = await payroll.openCycle(COUNTY, '2026-10', new Date());
    // Benefits of the seeded three: 200, 300 and 400 yuan.
    expect(await payroll.generate(october.id)).toEqual({ lineCount: 3, totalFen: 90_000 });

    const page = await signIn(`demo-supervisor-${COUNTY}`);
    await page.getByRole('link', { name: '县级业务' }).click();
    await page.waitForURL(/\/county/);
    await page.locator('[data-tab="funds"]').click();
    const fund = page.locator(`[data-testid="fund-list"] tr[data-township="${TOWNSHIP}"]`);
    await fund.waitFor();
    await expect(fund.textContent()).resolves.toContain('城关镇');
    await expect(fund.getByTestId('fund-balance').textContent()).resolves.toBe('5,000.00元');
    await fund.getByRole('link', { name: '城关镇' }).click();
    await page.getByTestId('ledger').locator('tr[data-entry="advance"]').waitFor();
    await expect(page.getByTestId('ledger').textContent()).resolves.toContain('县级预拨');

    await page.locator('[data-tab="payments"]').click();
    const cycleRow = page.locator(`[data-testid="cycles"] tr[data-cycle="${october.id}"]`);
    await cycleRow.waitFor();
    await expect(cycleRow.textContent()).resolves.toContain('900.00元');
    await cycleRow.getByRole('link', { name: '2026-10' }).click();
    await page.getByTestId('cycle').waitFor();
    await expect(page.getByTestId('cycle-total').textContent()).resolves.toBe('900.00元');
    await expect(page.getByTestId('cycle').locator('tr[data-step="dataBy"]').textContent()).resolves.toContain('2026年9月30日');
    // A supervisor reads the cycle; the bank file is county finance's and the bank's.
    expect(await page.getByTestId('bank-file').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/county.png`, fullPage: true });

    const finance = await signIn(`demo-county-finance-${COUNTY}`);
    await finance.goto(`${base}/county?tab=payments&cycle=${october.id}`);
    await finance.getByTestId('cycle').waitFor();
    const [download] = await Promise.all([finance.waitForEvent('download'), finance.getByTestId('bank-file').click()]);
    expect(download.suggestedFilename()).toBe(`payroll-${COUNTY}-2026-10.csv`);
    await expect(finance.getByTestId('bank-file-done').textContent()).resolves.toContain('3 笔，合计 900.00元');
    // Sampling is civil affairs' and supervisors': county finance has no such tab.
    expect(await finance.locator('[data-tab="sampling"]').count()).toBe(0);
  });

  it('an incident is listed with its case and retried from the dashboard, the result shown', async () => {
    // As test/incidents.e2e-spec.ts: Jiaozuo's profile swapped for one taking effect only in October stops the
    // acceptance with an incident; the shipped one swapped back is the fix, then the supervisor retries.
    const stuckId = await s.apply(integrator, Scenario.application(VILLAGE, '冯立春', '19590212', '322'));
    const live = s.app.get(PolicyProfiles);
    const shipped = PolicyProfiles.load();
    profilesDir = mkdtempSync(join(tmpdir(), 'doudi-profiles-'));
    for (const file of readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(join(PROFILES_DIR, file), 'utf8');
      writeFileSync(join(profilesDir, file), file === 'jiaozuo.yaml' ? text.replace(/effectiveFrom: '\d{4}-\d{2}-\d{2}'/, "effectiveFrom: '2026-10-01'") : text);
    }
    Object.assign(live, PolicyProfiles.load(profilesDir));
    await s.completeTask(stuckId, 'Task_accept', caseworker, { materialsComplete: true });
    const [incident] = await s.until('the incident', async () => (await s.get(supervisor, '/api/v1/sla/incidents')).body.items as { incidentKey: string; subject: { caseNumber?: string } }[], (list) => list.length > 0);
    Object.assign(live, shipped);

    const page = await signIn(`demo-supervisor-${COUNTY}`);
    await page.goto(`${base}/dashboard`);
    const row = page.locator(`[data-testid="incidents"] tr[data-incident="${incident!.incidentKey}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(incident!.subject.caseNumber!);
    await expect(row.textContent()).resolves.toContain('没有适用的政策参数版本');
    await row.getByTestId('retry').click();
    await row.getByTestId('retried').waitFor();
    await expect(row.getByTestId('retried').textContent()).resolves.toMatch(/^已重试：异常已解除，作业 \d+ 重试次数恢复为 3/);
    await s.until('the acceptance', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${stuckId}`)).body.status, (status) => status === 'accepted');
    await page.reload();
    await page.getByText('当前没有流程异常').waitFor();
  });

  it('the county pages: a sampling batch drawn by hand, its selection and its review tasks', async () => {
    // Three township decisions of August 2026: the family's case with a complaint (always drawn) and two others.
    const db = s.app.get(DataSource);
    for (const [i, subjectId] of [caseId, 'pool-case-1', 'pool-case-2'].entries()) {
      await db.query(
        `INSERT INTO sampling_pool_entry (subject_type, subject_id, decided_at, county_code, township_code, region_code, decision, relatives_case, complaint)
         VALUES ('dibao-case', $1, $2, $3, $4, $5, 'approve', false, $6)`,
        [subjectId, `2026-08-1${i}T02:00:00Z`, COUNTY, TOWNSHIP, VILLAGE, i === 0],
      );
    }
    const drawn = await s.post(countyCivilAffairs, `/api/v1/sampling/batches?county=${COUNTY}&period=2026-08`);
    expect(drawn.status).toBe(201);
    const batch = drawn.body as { id: string; selected: { subjectId: string }[] };
    expect(batch.selected.map((x) => x.subjectId)).toContain(caseId);
    await s.until('the review tasks', async () => (await s.get(countyCivilAffairs, '/api/v1/tasks?procedure=county-sampling-batch')).body.items, (items) => items.length === batch.selected.length);

    const page = await signIn(`demo-county-civil-affairs-${COUNTY}`);
    await page.getByRole('link', { name: '县级业务' }).click();
    await page.waitForURL(/\/county/);
    const row = page.locator(`[data-testid="batches"] tr[data-batch="${batch.id}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`0 / ${batch.selected.length}`);
    await row.getByRole('link', { name: '2026-08' }).click();
    await page.getByTestId('batch').waitFor();
    await expect(page.getByTestId('batch').textContent()).resolves.toContain('有投诉');
    const tasks = page.locator('[data-testid="review-tasks"] tr[data-task]');
    await tasks.first().waitFor();
    await expect(tasks.count()).resolves.toBe(batch.selected.length);
    await expect(page.getByTestId('review-tasks').textContent()).resolves.toContain(caseNumber);
    // County civil affairs has no bank file, but does see payment cycles; a bank sees no sampling.
    expect(await page.locator('[data-tab="payments"]').count()).toBe(1);
  });
});
