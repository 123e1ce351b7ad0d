import { authorizationUrl, base64Url, callbackCode, discover, exchangeCode, randomState, randomVerifier, s256Challenge } from './pkce';

describe('PKCE helpers', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    await expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of 43-128 unreserved characters, each different', () => {
    const a = randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9\-._~]{64}$/);
    expect(randomVerifier(43)).toHaveLength(43);
    expect(randomVerifier()).not.toBe(a);
    expect(() => randomVerifier(42)).toThrow(RangeError);
    expect(() => randomVerifier(129)).toThrow(RangeError);
    expect(randomState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('encodes base64url without padding', () => {
    expect(base64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('builds the authorization URL with the challenge, method and state', () => {
    const url = new URL(authorizationUrl('https://id.example.gov.cn/auth?kc=1', { clientId: 'wb', redirectUri: 'https://doudi.example/auth/callback', scope: 'openid profile', state: 's1', challenge: 'c1' }));
    expect(url.origin + url.pathname).toBe('https://id.example.gov.cn/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      kc: '1',
      response_type: 'code',
      client_id: 'wb',
      redirect_uri: 'https://doudi.example/auth/callback',
      scope: 'openid profile',
      state: 's1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
    });
  });

  it('takes the code of a callback only with the state it sent', () => {
    expect(callbackCode('https://doudi.example/auth/callback?code=abc&state=s1', 's1')).toBe('abc');
    expect(() => callbackCode('https://doudi.example/auth/callback?code=abc&state=other', 's1')).toThrow(/state mismatch/);
    expect(() => callbackCode('https://doudi.example/auth/callback?code=abc&state=s1', null)).toThrow(/state mismatch/);
    expect(() => callbackCode('https://doudi.example/auth/callback?error=access_denied&error_description=no', 's1')).toThrow('access_denied: no');
  });

  it('discovers the endpoints and exchanges the code with the verifier', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const fetcher = (async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      if (url.endsWith('/.well-known/openid-configuration')) return new Response(JSON.stringify({ issuer: 'https://id.example', authorization_endpoint: 'https://id.example/auth', token_endpoint: 'https://id.example/token' }));
      return new Response(JSON.stringify({ access_token: 'at', expires_in: 300 }));
    }) as typeof fetch;
    const doc = await discover('https://id.example/', fetcher);
    expect(calls[0]!.url).toBe('https://id.example/.well-known/openid-configuration');
    const tokens = await exchangeCode(doc.token_endpoint, { clientId: 'wb', redirectUri: 'https://doudi.example/auth/callback', code: 'abc', verifier: 'v'.repeat(43) }, fetcher);
    expect(tokens.access_token).toBe('at');
    expect(Object.fromEntries(new URLSearchParams(String(calls[1]!.init!.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'wb',
      redirect_uri: 'https://doudi.example/auth/callback',
      code: 'abc',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('refuses a failed token exchange with the error the issuer named', async () => {
    const fetcher = (async () => new Response(JSON.stringify({ error: 'invalid_grant', error_description: 'code expired' }), { status: 400 })) as unknown as typeof fetch;
    await expect(exchangeCode('https://id.example/token', { clientId: 'wb', redirectUri: 'r', code: 'c', verifier: 'v' }, fetcher)).rejects.toThrow('token exchange failed: invalid_grant (code expired)');
  });
});
