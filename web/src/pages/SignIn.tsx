import { useState } from 'react';
import { api, ApiError } from '../api';
import { signIn } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { useI18n } from '../i18n';
import { authorizationUrl, discover, randomState, randomVerifier, s256Challenge } from '../pkce';
import { navigate } from '../router';
import { roleLabel } from '../roles';
import { useApi } from '../useApi';

export interface WorkbenchConfig {
  authMode: 'secret' | 'oidc';
  oidc: { issuer: string; clientId: string | null; redirectPath: string; scope: string } | null;
  devSignIn: boolean;
}

interface DevUser {
  sub: string;
  role: string;
  region: string;
  regionName: string | null;
  who: string;
}

/** What the callback needs to finish the OIDC sign-in: kept for this tab only. */
export const PKCE_KEY = 'doudi.pkce';

export function SignIn({ next }: { next: string }) {
  const { t } = useI18n();
  const config = useApi<WorkbenchConfig>('/api/v1/workbench/config');
  const users = useApi<DevUser[]>(config.data?.devSignIn ? '/api/v1/workbench/dev-users' : null);
  const [error, setError] = useState<Error | undefined>();

  const pick = async (user: DevUser) => {
    try {
      const { token } = await api<{ token: string }>('/api/v1/workbench/dev-token', { method: 'POST', body: { sub: user.sub }, anonymous: true });
      signIn(token);
      navigate(next, true);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  const oidc = async () => {
    const o = config.data!.oidc!;
    try {
      const doc = await discover(o.issuer);
      const verifier = randomVerifier();
      const state = randomState();
      const redirectUri = `${location.origin}${o.redirectPath}`;
      sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, tokenEndpoint: doc.token_endpoint, clientId: o.clientId, redirectUri, next }));
      location.assign(authorizationUrl(doc.authorization_endpoint, { clientId: o.clientId!, redirectUri, scope: o.scope, state, challenge: await s256Challenge(verifier) }));
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section className="card narrow">
      <h1>{t('signin.title')}</h1>
      <ErrorBox error={config.error ?? users.error ?? error} />
      {config.loading ? <p>{t('common.loading')}</p> : null}
      {config.data?.oidc ? (
        config.data.oidc.clientId ? (
          <button type="button" className="primary" onClick={oidc}>
            {t('signin.oidc')}
          </button>
        ) : (
          <p className="error">{t('signin.oidcMissing')}</p>
        )
      ) : null}
      {config.data?.devSignIn ? (
        <>
          <p className="muted">{t('signin.devHint')}</p>
          <ul className="user-picker">
            {(users.data ?? []).map((u) => (
              <li key={u.sub}>
                <button type="button" onClick={() => pick(u)} data-sub={u.sub}>
                  <strong>{roleLabel(u.role, t)}</strong>
                  <span>
                    {u.regionName ?? u.region} <span className="muted">({u.region})</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
