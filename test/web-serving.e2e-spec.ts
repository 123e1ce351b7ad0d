import request from 'supertest';
import { existsSync } from 'node:fs';
import { startTestApp, type TestApp } from './support/test-app';
import { ensureWebBuilt } from './support/browser';

/** The workbench served at / beside the API, and its sign-in endpoints (issue 19). */
describe('workbench serving', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('serves the page at / and for front-end routes, revalidated on every load', async () => {
    const http = request(t.app.getHttpServer());
    for (const path of ['/', '/tasks', '/tasks/2251799813685249', '/cases/0a8c8c1e-6f0b-4c55-9d1e-3f3f3f3f3f3f', '/auth/callback?code=x&state=y']) {
      const res = await http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('<div id="root"></div>');
    }
  });

  it('serves the hashed assets for a year, and a missing file as a 404', async () => {
    const http = request(t.app.getHttpServer());
    const page = await http.get('/').expect(200);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1]!;
    const res = await http.get(script).expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await http.get('/assets/no-such-file.js').expect(404);
    await http.get('/favicon.ico').expect(404);
    await http.get('/..%2f..%2fpackage.json').expect(404);
  });

  it('leaves the API its own answers: unknown /api paths stay problem+json 404s, Swagger and /health work', async () => {
    const http = request(t.app.getHttpServer());
    const res = await http.get('/api/v1/no-such-thing').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    await http.get('/api/docs').expect(200).expect('content-type', /html/);
    await http.get('/api').expect(404).expect('content-type', /problem\+json/);
    await http.get('/v2/topology').expect(404);
    await http.post('/tasks').expect(404);
  });

  it('tells the sign-in mode and, in development, lists the demo users with their regions and mints their tokens', async () => {
    const http = request(t.app.getHttpServer());
    const config = await http.get('/api/v1/workbench/config').expect(200);
    expect(config.body).toEqual({ authMode: 'secret', oidc: null, devSignIn: true });
    const users = await http.get('/api/v1/workbench/dev-users').expect(200);
    const qixian = users.body.find((u: { region: string }) => u.region === '410821101');
    expect(qixian).toMatchObject({ sub: 'demo-township-caseworker-410821101', role: 'township-caseworker', regionName: '七贤镇' });
    expect(users.body.find((u: { role: string }) => u.role === 'village-committee')).toMatchObject({ region: '410821100201', regionName: expect.any(String) });
    const minted = await http.post('/api/v1/workbench/dev-token').send({ sub: qixian.sub }).expect(200);
    await http.get('/api/v1/tasks').set('Authorization', `Bearer ${minted.body.token}`).expect((r) => expect(r.status).not.toBe(401));
    await http.post('/api/v1/workbench/dev-token').send({ sub: 'nobody' }).expect(404);
    await http.post('/api/v1/workbench/dev-token').send({}).expect(400);
  });

  it('has no development sign-in in production or with OIDC', async () => {
    const oidc = await startTestApp({ AUTH_MODE: 'oidc', AUTH_OIDC_ISSUER: 'https://id.example.gov.cn/realms/doudi', AUTH_OIDC_JWKS_URI: 'https://id.example.gov.cn/jwks', AUTH_OIDC_CLIENT_ID: 'doudi-workbench' });
    try {
      const http = request(oidc.app.getHttpServer());
      const config = await http.get('/api/v1/workbench/config').expect(200);
      expect(config.body).toEqual({ authMode: 'oidc', oidc: { issuer: 'https://id.example.gov.cn/realms/doudi', clientId: 'doudi-workbench', redirectPath: '/auth/callback', scope: 'openid profile' }, devSignIn: false });
      await http.get('/api/v1/workbench/dev-users').expect(404);
      await http.post('/api/v1/workbench/dev-token').send({ sub: 'demo-supervisor-410821' }).expect(404);
    } finally {
      await oidc.close();
    }
  });

  it('falls through to the 404 problem when the bundle is not built', async () => {
    expect(existsSync('dist/web/index.html')).toBe(true);
    const bare = await startTestApp({ WEB_DIR: '.data/no-such-web-dir' });
    try {
      const res = await request(bare.app.getHttpServer()).get('/').expect(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    } finally {
      await bare.close();
    }
  });
});
