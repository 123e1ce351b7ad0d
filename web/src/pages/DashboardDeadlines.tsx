import { query } from '../api';
import type { Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { bilingual, formatInstant } from '../format';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import type { Page } from '../types';
import { useApi } from '../useApi';
import './Dashboard.css';
import { roleLabel } from '../roles';
import { type DeadlineRow, type DeadlineStatus, type RegionView, STATUSES, statusLabel, subjectHref, subjectLabel, type SummaryLine, typeLabel } from './DashboardShared';

/** The API's largest page (src/common/paging.ts). */
const LIMIT = 200;

/** The deadlines behind a number of the dashboard: region, status and type from the URL; a dibao case links to its page. */
export function DashboardDeadlines({ session }: { session: Session }) {
  const { t, locale } = useI18n();
  const { search } = useLocation();
  const region = search.get('region') || session.region;
  const status = (STATUSES as readonly string[]).includes(search.get('status') ?? '') ? (search.get('status') as DeadlineStatus) : undefined;
  const type = search.get('type') || undefined;
  const offset = Math.max(0, Math.floor(Number(search.get('offset'))) || 0);
  // The page size may come with the link (a shorter page to print); never beyond what the API answers.
  const limit = Math.min(LIMIT, Math.max(1, Math.floor(Number(search.get('limit'))) || LIMIT));
  const page = useApi<Page<DeadlineRow>>(`/api/v1/sla/deadlines${query({ region, status, type, offset, limit })}`);
  const list = { ...page, data: page.data?.items };
  const place = useApi<RegionView>(`/api/v1/regions/${region}`);
  // The types to filter by: those the region has (from its summary), and the one asked for.
  const summary = useApi<SummaryLine[]>(`/api/v1/sla/summary${query({ region })}`);
  const types = [...new Set([...(summary.data ?? []).flatMap((l) => l.byType.map((x) => x.type)), ...(type ? [type] : [])])].sort();
  // A new filter starts at the first page; only the pager moves the offset.
  const go = (changes: Record<string, string | number | undefined>) => navigate(`/dashboard/deadlines${query({ region, status, type, limit: limit === LIMIT ? undefined : limit, offset: undefined, ...changes })}`);

  return (
    <section>
      <p>
        <Link to={`/dashboard${query({ region: region === session.region ? undefined : region.length > session.region.length ? parentOf(region) : undefined })}`}>← {t('dashboard.deadlines.back')}</Link>
      </p>
      <h1>{t('dashboard.deadlines.title')}</h1>
      <p data-testid="deadlines-filter">
        {t('dashboard.deadlines.filter', {
          region: place.data?.name ?? region,
          status: status ? statusLabel(t, status) : t('dashboard.deadlines.allStatuses'),
          type: type ? typeLabel(t, type) : t('dashboard.allTypes'),
        })}
      </p>
      <div className="toolbar">
        <label>
          {t('dashboard.deadlines.status')}{' '}
          <select name="status" value={status ?? ''} onChange={(e) => go({ status: e.target.value || undefined })}>
            <option value="">{t('dashboard.deadlines.allStatuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(t, s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('dashboard.type')}{' '}
          <select name="type" value={type ?? ''} onChange={(e) => go({ type: e.target.value || undefined })}>
            <option value="">{t('dashboard.allTypes')}</option>
            {types.map((x) => (
              <option key={x} value={x}>
                {typeLabel(t, x)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? <p>{t('common.loading')}</p> : null}
      {list.data && list.data.length === 0 ? <p className="muted">{t('dashboard.deadlines.none')}</p> : null}
      {list.data && list.data.length > 0 ? (
        <table data-testid="deadlines">
          <thead>
            <tr>
              <th>{t('dashboard.deadlines.case')}</th>
              <th>{t('dashboard.type')}</th>
              <th>{t('dashboard.deadlines.regionName')}</th>
              <th>{t('dashboard.deadlines.group')}</th>
              <th>{t('dashboard.deadlines.started')}</th>
              <th>{t('dashboard.deadlines.due')}</th>
              <th>{t('dashboard.deadlines.status')}</th>
              <th>{t('dashboard.deadlines.calendar')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => {
              const href = subjectHref(d.subjectType, d.subjectId);
              const label = d.caseNumber ?? d.subjectId;
              return (
                <tr key={d.id} data-deadline={d.id} data-subject={d.subjectId} className={d.status === 'breached' ? 'urgency-overdue' : undefined}>
                  <td>
                    {href ? <Link to={href}>{label}</Link> : label}
                    <div className="muted">{subjectLabel(t, d.subjectType)}</div>
                  </td>
                  <td>
                    {typeLabel(t, d.type)}
                    <div className="muted">{d.rule}</div>
                  </td>
                  <td>
                    {d.regionName ?? d.regionCode} <span className="muted">{d.regionCode}</span>
                  </td>
                  <td>{roleLabel(d.responsibleGroup, t)}</td>
                  <td>{formatInstant(d.startedAt, locale)}</td>
                  <td>{formatInstant(d.dueAt, locale)}</td>
                  <td data-status={d.status}>
                    <span className={`mark mark-${d.status === 'breached' ? 'overdue' : d.status}`}>{statusLabel(t, d.status)}</span>
                    {d.metAt || d.breachedAt ? <div className="muted">{formatInstant(d.metAt ?? d.breachedAt, locale)}</div> : null}
                  </td>
                  <td>
                    {d.calendar ?? '—'}
                    {d.calendarNote ? <div className="muted">{bilingual(d.calendarNote, locale)}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {page.data && page.data.total > page.data.items.length ? (
        <div className="pager" data-testid="deadlines-pager">
          <button type="button" disabled={page.data.offset === 0} onClick={() => go({ offset: Math.max(0, page.data!.offset - page.data!.limit) || undefined })}>
            {t('dashboard.page.prev')}
          </button>
          <span data-testid="deadlines-range">{t('dashboard.page.range', { from: page.data.offset + 1, to: page.data.offset + page.data.items.length, total: page.data.total })}</span>
          <button type="button" disabled={!page.data.truncated} onClick={() => go({ offset: page.data!.offset + page.data!.limit })}>
            {t('dashboard.page.next')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** A township's county, a village's township. */
function parentOf(code: string): string | undefined {
  return code.length === 12 ? code.slice(0, 9) : code.length === 9 ? code.slice(0, 6) : undefined;
}
