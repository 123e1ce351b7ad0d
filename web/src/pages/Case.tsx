import { Diagram } from '../components/Diagram';
import { ErrorBox } from '../components/ErrorBox';
import { bilingual, formatInstant } from '../format';
import { labelOr, useI18n, type MessageKey } from '../i18n';
import type { DeadlineRow } from './DashboardShared';
import { Link } from '../router';
import { useApi } from '../useApi';

interface CaseDetail {
  id: string;
  caseNumber: string;
  status: string;
  regionCode: string;
  regionName: string | null;
  townshipName: string | null;
  processInstanceKey: string | null;
  members: { name: string; relation: string; age: number; idNumber: string }[];
  currentSteps: { userTaskKey: string; name: string | null; elementId: string; assignee: string | null }[] | null;
  deadlines: DeadlineRow[];
  notices: { kind: string; text: string; issuedAt: string; endsAt: string | null }[];
  timeline: { kind: string; at: string; actorId: string | null; details?: Record<string, unknown> }[];
}

/** A dibao case: where it stands in the model, its deadlines with their calendar, its timeline and printable notices. */
export function CasePage({ caseId }: { caseId: string }) {
  const { t, locale } = useI18n();
  const c = useApi<CaseDetail>(`/api/v1/dibao/cases/${caseId}`);
  if (c.error) return <ErrorBox error={c.error} onRetry={c.reload} />;
  if (!c.data) return <p>{t('common.loading')}</p>;
  const d = c.data;
  const label = (key: string, fallback: string) => labelOr(t, key, fallback);
  const status = label(`case.status.${d.status}`, d.status);

  const printNotices = () => {
    document.body.classList.add('printing-notice');
    const done = () => {
      document.body.classList.remove('printing-notice');
      window.removeEventListener('afterprint', done);
    };
    window.addEventListener('afterprint', done);
    window.print();
  };

  return (
    <section>
      <h1>{t('case.title', { number: d.caseNumber })}</h1>
      <div className="card">
        <dl className="facts">
          <dt>{t('case.status')}</dt>
          <dd data-testid="case-status">{status}</dd>
          <dt>{t('task.place')}</dt>
          <dd>{[d.regionName ?? d.regionCode, d.townshipName].filter(Boolean).join(' · ')}</dd>
          <dt>{t('case.members')}</dt>
          <dd>{d.members.map((m) => `${m.name}（${t(`task.relation.${m.relation}` as MessageKey)}）`).join('、')}</dd>
          <dt>{t('case.currentSteps')}</dt>
          <dd>
            {d.currentSteps?.length
              ? d.currentSteps.map((s) => (
                  <Link key={s.userTaskKey} to={`/tasks/${s.userTaskKey}`} className="chip">
                    {bilingual(s.name, locale)}
                  </Link>
                ))
              : t('case.none')}
          </dd>
        </dl>
      </div>
      <div className="card no-print">
        <h2>{t('case.diagram')}</h2>
        <Diagram processInstanceKey={d.processInstanceKey} />
      </div>
      <div className="card">
        <h2>{t('case.deadlines')}</h2>
        <table>
          <thead>
            <tr>
              <th>{t('case.deadline.kind')}</th>
              <th>{t('case.deadline.started')}</th>
              <th>{t('case.deadline.due')}</th>
              <th>{t('case.deadline.state')}</th>
              <th>{t('case.deadline.calendar')}</th>
            </tr>
          </thead>
          <tbody>
            {d.deadlines.map((x) => (
              <tr key={x.id} data-deadline={x.type}>
                <td>
                  {label(`deadline.type.${x.type}`, x.type)}
                  <div className="muted">{x.rule}</div>
                </td>
                <td>{formatInstant(x.startedAt, locale)}</td>
                <td>{formatInstant(x.dueAt, locale)}</td>
                <td>
                  {x.breachedAt ? (
                    <span className="mark mark-overdue">{t('case.deadline.breached')}</span>
                  ) : x.metAt ? (
                    <>
                      {t('case.deadline.met')} <span className="muted">{formatInstant(x.metAt, locale)}</span>
                    </>
                  ) : (
                    t('case.deadline.open')
                  )}
                </td>
                <td className="muted">{bilingual(x.calendarNote ?? x.calendar, locale) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card">
        <h2>{t('case.timeline')}</h2>
        <ol className="steps">
          {d.timeline.map((e, i) => (
            <li key={i}>
              {formatInstant(e.at, locale)} · <strong>{label(`case.event.${e.kind}`, e.kind)}</strong> {e.actorId ? <span className="muted">· {e.actorId}</span> : null}
            </li>
          ))}
        </ol>
      </div>
      <div className="card notices">
        <h2>
          {t('case.notices')}{' '}
          {d.notices.length ? (
            <button type="button" onClick={printNotices} className="no-print">
              {t('case.print')}
            </button>
          ) : null}
        </h2>
        {d.notices.length === 0 ? <p className="muted">{t('case.none')}</p> : null}
        {d.notices.map((n, i) => (
          <article key={i} className="notice-doc" lang="zh-CN" data-notice={n.kind}>
            {n.text}
          </article>
        ))}
      </div>
    </section>
  );
}
