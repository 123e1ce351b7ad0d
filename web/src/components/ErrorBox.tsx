import type { ApiError } from '../api';
import { useI18n, type MessageKey } from '../i18n';

/** A failed call, as the API explained it (title, detail, code), with a retry when one makes sense. */
export function ErrorBox({ error, onRetry }: { error: ApiError | Error | undefined | null; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const problem = 'problem' in error ? error.problem : undefined;
  // Our own words for the kind of failure (the API's titles are English); its detail says what exactly.
  const status = problem ? (problem.status >= 500 && problem.status !== 503 ? 500 : problem.status) : undefined;
  const key = `problem.${status}` as MessageKey;
  const heading = status !== undefined && t(key) !== key ? t(key) : problem?.title || t('common.error');
  return (
    <div className="error" role="alert">
      <strong>{heading}</strong>
      {problem?.status ? <span className="muted"> ({problem.status}{problem.code ? ` ${problem.code}` : ''})</span> : null}
      {error.message && error.message !== heading ? <div>{error.message}</div> : null}
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}
