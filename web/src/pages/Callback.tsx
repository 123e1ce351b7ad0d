import { useEffect, useState } from 'react';
import { signIn } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { useI18n } from '../i18n';
import { callbackCode, exchangeCode } from '../pkce';
import { navigate } from '../router';
import { PKCE_KEY } from './SignIn';

/** The OIDC redirect: checks the state, exchanges the code with the verifier, keeps the access token. */
export function Callback() {
  const { t } = useI18n();
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string; tokenEndpoint: string; clientId: string; redirectUri: string; next: string } | null;
    sessionStorage.removeItem(PKCE_KEY);
    (async () => {
      const code = callbackCode(location.href, saved?.state ?? null);
      const tokens = await exchangeCode(saved!.tokenEndpoint, { clientId: saved!.clientId, redirectUri: saved!.redirectUri, code, verifier: saved!.verifier });
      signIn(tokens.access_token);
      navigate(saved!.next || '/tasks', true);
    })().catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
  }, []);
  return (
    <section className="card narrow">
      <h1>{error ? t('signin.failed') : t('signin.callback')}</h1>
      <ErrorBox error={error} />
    </section>
  );
}
