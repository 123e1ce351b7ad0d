import { useMemo, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import type { Session } from '../auth';
import { CaseContext } from '../components/CaseContext';
import { ErrorBox } from '../components/ErrorBox';
import { FormView, type FormViewHandle } from '../components/FormView';
import { Urgency } from '../components/Urgency';
import { clearDraft, loadDraft, saveDraft } from '../drafts';
import { bilingual } from '../format';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import type { TaskDetail } from '../types';
import { useApi } from '../useApi';

/** One task: the case beside its form; claim, fill in (the draft is kept), submit; the API's field errors on their fields. */
export function Task({ taskKey, session }: { taskKey: string; session: Session }) {
  const { t, locale } = useI18n();
  const task = useApi<TaskDetail>(`/api/v1/tasks/${taskKey}`);
  const form = useRef<FormViewHandle>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const draft = useMemo(() => loadDraft(taskKey), [taskKey]);
  const data = useMemo(() => ({ ...(task.data?.variables ?? {}), ...(draft ?? {}) }), [task.data, draft]);

  if (task.error) return <ErrorBox error={task.error} onRetry={task.reload} />;
  if (!task.data) return <p>{t('common.loading')}</p>;
  const d = task.data;
  const mine = d.assignee === session.sub;
  const step = bilingual(d.name, locale) || d.elementId;

  const claim = async () => {
    setError(undefined);
    try {
      await api(`/api/v1/tasks/${taskKey}/claim`, { method: 'POST' });
      task.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  const submit = async () => {
    setError(undefined);
    const values = form.current?.submit();
    if (!values) return;
    setBusy(true);
    try {
      await api(`/api/v1/tasks/${taskKey}/complete`, { method: 'POST', body: { variables: values } });
      clearDraft(taskKey);
      navigate(`/tasks?done=${encodeURIComponent(step)}`);
    } catch (e) {
      const err = e as ApiError;
      const unplaced = err.problem?.errors?.length ? (form.current?.showErrors(err.problem.errors) ?? err.problem.errors) : [];
      // Field problems go on their fields; the box keeps the rest (and says that fields need a look).
      setError(new ApiError(err.status, { ...err.problem, errors: unplaced, detail: err.problem.errors?.length ? t('common.fieldErrors') : err.problem.detail }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>
        {step} <Urgency urgency={d.urgency ?? null} />
      </h1>
      <div className="split">
        <aside className="card">
          <h2>{t('task.context')}</h2>
          <CaseContext context={d.context} />
        </aside>
        <div className="card">
          <h2>{t('task.form')}</h2>
          {!d.assignee ? (
            <p className="notice">
              {t('task.claimFirst')}{' '}
              <button type="button" className="primary" onClick={claim} data-testid="claim">
                {t('task.claim')}
              </button>
            </p>
          ) : !mine ? (
            <p className="notice">{t('task.assignedTo', { who: d.assignee })}</p>
          ) : null}
          {draft ? (
            <p className="muted" data-testid="draft-restored">
              {t('task.draftRestored')}{' '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  clearDraft(taskKey);
                  location.reload();
                }}
              >
                {t('task.discardDraft')}
              </button>
            </p>
          ) : null}
          <ErrorBox error={error} />
          {d.form ? (
            <>
              <FormView ref={form} schema={d.form} data={data} disabled={!mine} onChange={(values) => mine && saveDraft(taskKey, values)} />
              <button type="button" className="primary" disabled={!mine || busy} onClick={submit} data-testid="submit">
                {t('task.submit')}
              </button>
            </>
          ) : (
            <p className="muted">{t('task.noForm')}</p>
          )}
        </div>
      </div>
    </section>
  );
}
