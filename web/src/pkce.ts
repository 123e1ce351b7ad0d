/**
 * OAuth 2.0 authorization code with PKCE (RFC 7636) for a public client: the verifier, its S256 challenge, the state,
 * the authorization URL and the code exchange. Pure apart from `crypto` and `fetch`, so it is unit-tested.
 */

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random string of `length` (43-128) unreserved characters (RFC 7636 §4.1). */
export function randomVerifier(length = 64): string {
  if (length < 43 || length > 128) throw new RangeError('a PKCE verifier has 43 to 128 characters');
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => UNRESERVED[b % UNRESERVED.length]).join('');
}

/** BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export const randomState = (): string => base64Url(crypto.getRandomValues(new Uint8Array(16)));

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

export async function discover(issuer: string, fetcher: typeof fetch = fetch): Promise<Discovery> {
  const response = await fetcher(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`OIDC discovery failed: HTTP ${response.status}`);
  const doc = (await response.json()) as Discovery;
  if (!doc.authorization_endpoint || !doc.token_endpoint) throw new Error('OIDC discovery document lacks authorization_endpoint or token_endpoint');
  return doc;
}

export function authorizationUrl(endpoint: string, p: { clientId: string; redirectUri: string; scope: string; state: string; challenge: string }): string {
  const url = new URL(endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', p.scope);
  url.searchParams.set('state', p.state);
  url.searchParams.set('code_challenge', p.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** The `code` of a callback URL, after checking its `state` against the one sent; throws on an error answer. */
export function callbackCode(callbackUrl: string, expectedState: string | null): string {
  const params = new URL(callbackUrl).searchParams;
  const error = params.get('error');
  if (error) throw new Error(`${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`);
  if (!expectedState || params.get('state') !== expectedState) throw new Error('state mismatch: the sign-in was not started here');
  const code = params.get('code');
  if (!code) throw new Error('no authorization code in the callback');
  return code;
}

export async function exchangeCode(
  tokenEndpoint: string,
  p: { clientId: string; redirectUri: string; code: string; verifier: string },
  fetcher: typeof fetch = fetch,
): Promise<{ access_token: string; id_token?: string; expires_in?: number }> {
  const body = new URLSearchParams({ grant_type: 'authorization_code', client_id: p.clientId, redirect_uri: p.redirectUri, code: p.code, code_verifier: p.verifier });
  const response = await fetcher(tokenEndpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  const json = (await response.json().catch(() => ({}))) as { access_token?: string; id_token?: string; expires_in?: number; error?: string; error_description?: string };
  if (!response.ok || !json.access_token) throw new Error(`token exchange failed: ${json.error ?? `HTTP ${response.status}`}${json.error_description ? ` (${json.error_description})` : ''}`);
  return json as { access_token: string; id_token?: string; expires_in?: number };
}
