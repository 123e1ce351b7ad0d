import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ensureWebBuilt, launchChromium, type LaunchedBrowser } from './support/browser';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 19: with AUTH_MODE=oidc the workbench signs in by the authorization code flow with PKCE against the issuer —
 * here a small issuer of the test's own (discovery, JWKS, authorize, token), which checks S256(code_verifier)
 * against the challenge it was sent — and the API accepts the access token it issued. No demo users then.
 */
describe('workbench sign-in with OIDC (code + PKCE)', () => {
  let issuer: string;
  let idp: Server;
  let t: TestApp;
  let chromium: LaunchedBrowser;
  let base: string;
  let privateKey: CryptoKey;
  const seen: { challenge?: string; method?: string; verifierChecked?: boolean; clientId?: string } = {};

  beforeAll(async () => {
    ensureWebBuilt();
    const keys = await generateKeyPair('RS256');
    privateKey = keys.privateKey;
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    idp = createServer((req, res) => {
      const url = new URL(req.url!, issuer);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/.well-known/openid-configuration') {
        return json(200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` });
      }
      if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
      if (url.pathname === '/authorize') {
        seen.challenge = url.searchParams.get('code_challenge') ?? undefined;
        seen.method = url.searchParams.get('code_challenge_method') ?? undefined;
        seen.clientId = url.searchParams.get('client_id') ?? undefined;
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('code', 'code-1');
        back.searchParams.set('state', url.searchParams.get('state')!);
        res.writeHead(302, { Location: back.toString() });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', async () => {
          const form = new URLSearchParams(body);
          const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
          if (form.get('grant_type') !== 'authorization_code' || form.get('code') !== 'code-1' || challenge !== seen.challenge) return json(400, { error: 'invalid_grant' });
          seen.verifierChecked = true;
          const token = await new SignJWT({ roles: ['township-caseworker'], region: '410821100' })
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
            .setSubject('zhang.wei@城关镇')
            .setIssuer(issuer)
            .setAudience('doudi-api')
            .setIssuedAt()
            .setExpirationTime('1h')
            .sign(privateKey);
          json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
        });
        return;
      }
      json(404, { error: 'not_found' });
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    t = await startTestApp({ AUTH_MODE: 'oidc', AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_AUDIENCE: 'doudi-api', AUTH_OIDC_CLIENT_ID: 'doudi-workbench' }, { withEngine: true });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    chromium = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await t?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  it('signs in through the issuer with an S256 challenge and its verifier, and works with the token it gets', async () => {
    const page = await (await chromium.browser.newContext({ locale: 'zh-CN' })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/tasks?view=unclaimed`);
    await page.waitForURL(/\/signin/);
    expect(await page.locator('button[data-sub]').count()).toBe(0);
    await page.getByRole('button', { name: '使用统一身份认证登录' }).click();
    await page.waitForURL((url) => url.pathname === '/tasks' && url.searchParams.get('view') === 'unclaimed');
    await page.locator('table.tasks').waitFor();
    expect(seen).toEqual({ challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), method: 'S256', clientId: 'doudi-workbench', verifierChecked: true });
    expect(await page.getByTestId('who').textContent()).toContain('410821100');
    // The token is this tab's only: kept in sessionStorage, not localStorage.
    expect(await page.evaluate('Object.keys(localStorage).filter((k) => k.includes("session")).length')).toBe(0);
    expect(await page.evaluate('JSON.parse(sessionStorage.getItem("doudi.session")).sub')).toBe('zhang.wei@城关镇');
  });

  it('refuses a callback whose state it did not send', async () => {
    const page = await (await chromium.browser.newContext({ locale: 'zh-CN' })).newPage();
    await page.goto(`${base}/auth/callback?code=stolen&state=forged`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('state mismatch');
    expect(await page.getByRole('heading').first().textContent()).toBe('登录失败');
  });
});
