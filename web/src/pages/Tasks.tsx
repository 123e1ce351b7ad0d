import { useState, type FormEvent } from 'react';
import { api, ApiError, query } from '../api';
import { hasRole, type Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { Urgency } from '../components/Urgency';
import { bilingual, formatInstant } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { isCycle, isFund, type TaskPage, type TaskSummary } from '../types';
import { useApi } from '../useApi';

const VIEWS = ['open', 'mine', 'unclaimed', 'overdue'] as const;
const PROCEDURES = ['dibao-application', 'temporary-aid', 'county-sampling-batch', 'monthly-payment-cycle', 'payment-line-follow-up', 'dibao-recalculation'] as const;
const PAGE = 50;

/** My tasks: by candidate group and region (the API decides), filtered, searched and paged; the filters live in the URL. */
export function Tasks({ session }: { session: Session }) {
  const { t, locale } = useI18n();
  const { search } = useLocation();
  const view = (VIEWS as readonly string[]).includes(search.get('view') ?? '') ? search.get('view')! : 'open';
  const procedure = search.get('procedure') ?? '';
  const q = search.get('q') ?? '';
  const offset = Math.max(0, Number(search.get('offset')) || 0);
  const path = `/api/v1/tasks${query({ view, procedure, q, offset, limit: PAGE })}`;
  const list = useApi<TaskPage>(path);
  const [text, setText] = useState(q);
  const [actionError, setActionError] = useState<ApiError | undefined>();
  const [reassigning, setReassigning] = useState<string | null>(null);
  const [assignee, setAssignee] = useState('');

  const go = (changes: Record<string, string | number | undefined>) => navigate(`/tasks${query({ view, procedure, q, offset, ...changes })}`);
  const act = async (task: TaskSummary, action: 'claim' | 'unclaim' | 'assignment', body?: unknown) => {
    setActionError(undefined);
    try {
      await api(`/api/v1/tasks/${task.userTaskKey}/${action}`, { method: 'POST', body });
      setReassigning(null);
      list.reload();
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    go({ q: text.trim(), offset: 0 });
  };
  const leader = hasRole(session, 'township-leader', 'county-civil-affairs');
  const page = list.data;

  return (
    <section>
      <h1>{t('tasks.title')}</h1>
      <div className="toolbar">
        <div className="tabs" role="tablist">
          {VIEWS.map((v) => (
            <button key={v} type="button" role="tab" aria-selected={v === view} className={v === view ? 'active' : ''} onClick={() => go({ view: v, offset: 0 })} data-view={v}>
              {t(`tasks.view.${v}` as MessageKey)}
            </button>
          ))}
        </div>
        <label>
          {t('tasks.procedure')}{' '}
          <select value={procedure} onChange={(e) => go({ procedure: e.target.value, offset: 0 })} name="procedure">
            <option value="">{t('tasks.procedure.all')}</option>
            {PROCEDURES.map((p) => (
              <option key={p} value={p}>
                {t(`tasks.procedure.${p}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <form onSubmit={onSearch} className="search">
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('tasks.search')} aria-label={t('tasks.search')} name="q" />
          <button type="submit">{t('tasks.searchButton')}</button>
        </form>
      </div>
      {search.get('done') ? (
        <p className="flash" data-testid="done">
          {t('task.submitted', { step: search.get('done')! })}
        </p>
      ) : null}
      <ErrorBox error={list.error ?? actionError} onRetry={list.error ? list.reload : undefined} />
      {list.loading && !page ? <p>{t('common.loading')}</p> : null}
      {page ? (
        <>
          <table className="tasks">
            <thead>
              <tr>
                <th>{t('tasks.col.family')}</th>
                <th>{t('tasks.col.case')}</th>
                <th>{t('tasks.col.place')}</th>
                <th>{t('tasks.col.step')}</th>
                <th>{t('tasks.col.due')}</th>
                <th>{t('tasks.col.assignee')}</th>
                <th>{t('tasks.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((task) => {
                const c = task.context;
                const due = c?.dueAt ?? task.dueDate;
                const mine = task.assignee === session.sub;
                return (
                  <tr key={task.userTaskKey} data-task={task.userTaskKey} className={task.urgency ? `urgency-${task.urgency}` : ''}>
                    <td>
                      {isCycle(c) ? (
                        t('tasks.paymentCycle', { county: c.countyName ?? c.countyCode, month: c.monthText })
                      ) : isFund(c) ? (
                        t('tasks.reserveFund', { township: c.townshipName ?? c.townshipCode })
                      ) : c ? (
                        <>
                          <strong>{c.applicantName}</strong> <span className="muted">{t('tasks.persons', { n: c.householdSize })}</span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{c && !isCycle(c) && !isFund(c) ? c.caseNumber : '—'}</td>
                    <td>{isFund(c) ? c.townshipName ?? c.townshipCode : c && !isCycle(c) ? [c.villageName ?? c.villageCode, c.townshipName ?? c.townshipCode].join(' / ') : '—'}</td>
                    <td>
                      <Link to={`/tasks/${task.userTaskKey}`}>{bilingual(task.name, locale) || task.elementId}</Link>
                    </td>
                    <td>
                      {formatInstant(due, locale)} <Urgency urgency={task.urgency ?? null} />
                    </td>
                    <td>{task.assignee ? (mine ? t('tasks.me') : task.assignee) : <span className="muted">{t('tasks.unassigned')}</span>}</td>
                    <td className="actions">
                      <Link to={`/tasks/${task.userTaskKey}`} className="button">
                        {t('tasks.open')}
                      </Link>
                      {!task.assignee ? (
                        <button type="button" onClick={() => act(task, 'claim')}>
                          {t('tasks.claim')}
                        </button>
                      ) : null}
                      {mine ? (
                        <button type="button" onClick={() => act(task, 'unclaim')}>
                          {t('tasks.unclaim')}
                        </button>
                      ) : null}
                      {leader ? (
                        reassigning === task.userTaskKey ? (
                          <form
                            className="inline"
                            data-testid="reassign-form"
                            onSubmit={(e) => {
                              e.preventDefault();
                              void act(task, 'assignment', { assignee: assignee.trim() });
                            }}
                          >
                            <input value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder={t('tasks.reassignTo')} aria-label={t('tasks.reassignTo')} required />
                            <button type="submit">{t('tasks.reassignOk')}</button>
                            <button type="button" onClick={() => setReassigning(null)}>
                              {t('common.cancel')}
                            </button>
                          </form>
                        ) : (
                          <button
                            type="button"
                            onClick={() => {
                              setAssignee('');
                              setReassigning(task.userTaskKey);
                            }}
                          >
                            {t('tasks.reassign')}
                          </button>
                        )
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {page.items.length === 0 ? <p className="muted">{t('tasks.empty')}</p> : null}
          <div className="pager">
            <button type="button" disabled={page.offset === 0} onClick={() => go({ offset: Math.max(0, page.offset - page.limit) })}>
              {t('tasks.prev')}
            </button>
            <span data-testid="range">
              {page.total === 0 ? '' : t('tasks.range', { from: page.offset + 1, to: page.offset + page.items.length, total: page.total })}
              {page.truncated ? ` ${t('tasks.truncated')}` : ''}
            </span>
            <button type="button" disabled={page.offset + page.items.length >= page.total} onClick={() => go({ offset: page.offset + page.limit })}>
              {t('tasks.next')}
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
