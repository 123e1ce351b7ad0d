import { Fragment, useMemo, useState } from 'react';
import { api, ApiError, query } from '../api';
import { hasRole, type Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { bilingual, formatInstant } from '../format';
import { useI18n, type Translate } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import type { Page } from '../types';
import { useApi } from '../useApi';
import { RegionLabel } from './CountyRegion';
import { BarChart, STATUS_COLOURS } from './DashboardChart';
import './Dashboard.css';
import {
  countOf,
  deadlinesHref,
  procedureLabel,
  type DeadlineRow,
  type IncidentItem,
  type IncidentRetryResult,
  type RegionView,
  STATUSES,
  type StatusCounts,
  statusLabel,
  subjectHref,
  type SummaryLine,
  typeLabel,
} from './DashboardShared';

/**
 * The supervisors' dashboard: the deadlines of each region one level below (a county's townships, a city's counties)
 * by status and type, days to decision, as charts and tables; every number links to the deadlines behind it; a row
 * drills down one level. Open engine incidents below, each retried from here.
 */
export function Dashboard({ session }: { session: Session }) {
  const { t, locale } = useI18n();
  const { search } = useLocation();
  const region = search.get('region') || session.region;
  const summary = useApi<SummaryLine[]>(`/api/v1/sla/summary${query({ region })}`);
  const place = useApi<RegionView>(`/api/v1/regions/${region}`);
  const [openRegion, setOpenRegion] = useState<string | null>(null);
  const lines = summary.data;
  const name = (line: SummaryLine) => line.name ?? line.region;
  const here = place.data?.name ?? region;
  // The way back up, as far as the caller's own region.
  const crumbs = (place.data?.chain ?? []).filter((r) => r.code.startsWith(prefixOf(session.region)) && r.code !== region);

  const totals = useMemo(() => byType(lines ?? []), [lines]);
  const regionChart = useMemo(
    () => ({
      labels: (lines ?? []).map(name),
      datasets: STATUSES.map((s) => ({ label: statusLabel(t, s), data: (lines ?? []).map((l) => countOf(l, s)), backgroundColor: STATUS_COLOURS[s] })),
    }),
    [lines, t],
  );
  const typeChart = useMemo(
    () => ({
      labels: totals.map((x) => typeLabel(t, x.type)),
      datasets: STATUSES.map((s) => ({ label: statusLabel(t, s), data: totals.map((x) => countOf(x, s)), backgroundColor: STATUS_COLOURS[s] })),
    }),
    [totals, t],
  );
  const decisions = useMemo(() => (lines ?? []).flatMap((l) => l.timeToDecision.map((d) => ({ ...d, region: l.region, name: name(l) }))), [lines]);
  const decisionChart = useMemo(
    () => ({
      labels: decisions.map((d) => `${d.name} · ${procedureLabel(t, d.procedure)}`),
      datasets: [
        { label: t('dashboard.medianDays'), data: decisions.map((d) => d.medianDays), backgroundColor: '#3b82f6' },
        { label: t('dashboard.p95Days'), data: decisions.map((d) => d.p95Days), backgroundColor: '#94a3b8' },
      ],
    }),
    [decisions, t],
  );

  const drill = (code: string) => code.length < 12 && navigate(`/dashboard${query({ region: code })}`);

  return (
    <section className="dashboard">
      <h1>{t('dashboard.title')}</h1>
      <p className="crumbs">
        {crumbs.map((c) => (
          <Fragment key={c.code}>
            <Link to={`/dashboard${query({ region: c.code === session.region ? undefined : c.code })}`}>{c.name}</Link>
            {' › '}
          </Fragment>
        ))}
        <strong data-testid="dashboard-region">{t('dashboard.regionOf', { region: here })}</strong>
      </p>
      <ErrorBox error={summary.error} onRetry={summary.reload} />
      {summary.loading && !lines ? <p>{t('common.loading')}</p> : null}
      {lines && lines.length === 0 ? <p className="muted" data-testid="dashboard-empty">{t('dashboard.empty')}</p> : null}
      {lines && lines.length > 0 ? (
        <>
          <div className="charts">
            <BarChart testId="chart-regions" title={t('dashboard.chart.byRegion')} labels={regionChart.labels} datasets={regionChart.datasets} onBarClick={(i) => drill(lines[i]!.region)} />
            <BarChart
              testId="chart-types"
              title={t('dashboard.chart.byType')}
              labels={typeChart.labels}
              datasets={typeChart.datasets}
              horizontal
              onBarClick={(i, d) => navigate(deadlinesHref({ region, type: totals[i]!.type, status: STATUSES[d] }))}
            />
            {decisions.length ? <BarChart testId="chart-decisions" title={t('dashboard.chart.timeToDecision')} labels={decisionChart.labels} datasets={decisionChart.datasets} /> : null}
          </div>

          <h2>{t('dashboard.table.byRegion')}</h2>
          <table className="counts" data-testid="summary">
            <thead>
              <tr>
                <th>{t('dashboard.region')}</th>
                {STATUSES.map((s) => (
                  <th key={s} className="num">
                    {statusLabel(t, s)}
                  </th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <Fragment key={line.region}>
                  <tr data-region={line.region}>
                    <td>
                      {line.region.length < 12 ? <Link to={`/dashboard${query({ region: line.region })}`}>{name(line)}</Link> : name(line)} <span className="muted">{line.region}</span>
                    </td>
                    <Counts counts={line} region={line.region} t={t} />
                    <td>
                      <button type="button" className="link" onClick={() => setOpenRegion(openRegion === line.region ? null : line.region)} aria-expanded={openRegion === line.region}>
                        {t('dashboard.type')}
                      </button>
                    </td>
                  </tr>
                  {openRegion === line.region
                    ? line.byType.map((x) => (
                        <tr key={x.type} className="sub" data-region-type={x.type}>
                          <td>{typeLabel(t, x.type)}</td>
                          <Counts counts={x} region={line.region} type={x.type} t={t} />
                          <td />
                        </tr>
                      ))
                    : null}
                </Fragment>
              ))}
              <tr className="total">
                <td>{t('dashboard.total')}</td>
                <Counts counts={sum(lines)} region={region} t={t} />
                <td />
              </tr>
            </tbody>
          </table>

          <h2>{t('dashboard.chart.byType')}</h2>
          <table className="counts" data-testid="by-type">
            <thead>
              <tr>
                <th>{t('dashboard.type')}</th>
                {STATUSES.map((s) => (
                  <th key={s} className="num">
                    {statusLabel(t, s)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {totals.map((x) => (
                <tr key={x.type} data-type={x.type}>
                  <td>
                    {typeLabel(t, x.type)} <span className="muted">{x.type}</span>
                  </td>
                  <Counts counts={x} region={region} type={x.type} t={t} />
                </tr>
              ))}
            </tbody>
          </table>

          <h2>{t('dashboard.timeToDecision')}</h2>
          {decisions.length ? (
            <table className="counts" data-testid="time-to-decision">
              <thead>
                <tr>
                  <th>{t('dashboard.region')}</th>
                  <th>{t('dashboard.procedure')}</th>
                  <th className="num">{t('dashboard.decided')}</th>
                  <th className="num">{t('dashboard.medianDays')}</th>
                  <th className="num">{t('dashboard.p95Days')}</th>
                </tr>
              </thead>
              <tbody>
                {decisions.map((d) => (
                  <tr key={`${d.region}:${d.procedure}`}>
                    <td>{d.name}</td>
                    <td>{procedureLabel(t, d.procedure)}</td>
                    <td className="num">
                      <Link to={deadlinesHref({ region: d.region, status: 'met', type: `${d.procedure}.procedure` })}>{d.decided}</Link>
                    </td>
                    <td className="num">{d.medianDays.toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                    <td className="num">{d.p95Days.toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t('common.none')}</p>
          )}
        </>
      ) : null}

      <Breaches region={region} />
      <Incidents region={region} canRetry={hasRole(session, 'supervisor')} />
    </section>
  );
}

/** What a region's codes below it start with: 410821 → 410821, 410800 (a city) → 4108, 410000 (a province) → 41. */
function prefixOf(code: string): string {
  return code.length === 6 ? code.replace(/(00){1,2}$/, '') : code;
}

/** The four counts of a line, each a link to the deadlines behind it. */
function Counts({ counts, region, type, t }: { counts: StatusCounts; region: string; type?: string; t: Translate }) {
  return (
    <>
      {STATUSES.map((s) => {
        const n = countOf(counts, s);
        return (
          <td key={s} className={`num status-${s}`} data-status={s}>
            {n > 0 ? (
              <Link to={deadlinesHref({ region, status: s, type })} title={statusLabel(t, s)}>
                {n}
              </Link>
            ) : (
              <span className="muted">0</span>
            )}
          </td>
        );
      })}
    </>
  );
}

function sum(lines: StatusCounts[]): StatusCounts {
  return lines.reduce((a, l) => ({ open: a.open + l.open, atRisk: a.atRisk + l.atRisk, breached: a.breached + l.breached, met: a.met + l.met }), { open: 0, atRisk: 0, breached: 0, met: 0 });
}

/** The counts by deadline type over every region of the summary. */
function byType(lines: SummaryLine[]): (StatusCounts & { type: string })[] {
  const types = new Map<string, StatusCounts[]>();
  for (const line of lines) for (const x of line.byType) types.set(x.type, [...(types.get(x.type) ?? []), x]);
  return [...types].sort(([a], [b]) => a.localeCompare(b)).map(([type, xs]) => ({ type, ...sum(xs) }));
}

const RECENT_BREACHES = 20;
/** The API's largest page: more open incidents than this at once is an outage, and the note says how many. */
const INCIDENTS_SHOWN = 200;

/** The region's breached deadlines with their cases, the latest due first; the whole list one link away. */
function Breaches({ region }: { region: string }) {
  const { t, locale } = useI18n();
  // The latest due first, one page: the total says how many there are in all.
  const list = useApi<Page<DeadlineRow>>(`/api/v1/sla/deadlines${query({ region, status: 'breached', sort: 'dueAt', order: 'desc', limit: RECENT_BREACHES })}`);
  const latest = list.data?.items ?? [];
  return (
    <section className="breaches" data-testid="breaches">
      <h2>{t('dashboard.breaches')}</h2>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && list.data.total === 0 ? <p className="muted">{t('dashboard.breaches.none')}</p> : null}
      {latest.length > 0 ? (
        <>
          <table className="compact">
            <thead>
              <tr>
                <th>{t('dashboard.deadlines.case')}</th>
                <th>{t('dashboard.type')}</th>
                <th>{t('dashboard.deadlines.regionName')}</th>
                <th>{t('dashboard.deadlines.due')}</th>
              </tr>
            </thead>
            <tbody>
              {latest.map((d) => {
                const href = subjectHref(d.subjectType, d.subjectId);
                const label = d.caseNumber ?? d.subjectId;
                return (
                  <tr key={d.id} data-subject={d.subjectId}>
                    <td>{href ? <Link to={href}>{label}</Link> : label}</td>
                    <td>{typeLabel(t, d.type)}</td>
                    <td>{d.regionName ?? d.regionCode}</td>
                    <td>{formatInstant(d.dueAt, locale)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>
            <Link to={deadlinesHref({ region, status: 'breached' })}>{t('dashboard.breaches.all', { n: list.data!.total })}</Link>
          </p>
        </>
      ) : null}
    </section>
  );
}

/** Open engine incidents of the region, each with its case and a retry (the result shown on its row). */
function Incidents({ region, canRetry }: { region: string; canRetry: boolean }) {
  const { t, locale } = useI18n();
  const page = useApi<Page<IncidentItem>>(`/api/v1/sla/incidents${query({ region, limit: INCIDENTS_SHOWN })}`);
  const list = { ...page, data: page.data?.items };
  const [busy, setBusy] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, IncidentRetryResult | ApiError>>({});

  const retry = async (incident: IncidentItem) => {
    setBusy(incident.incidentKey);
    try {
      const result = await api<IncidentRetryResult>(`/api/v1/sla/incidents/${incident.incidentKey}/retry`, { method: 'POST' });
      setResults((r) => ({ ...r, [incident.incidentKey]: result }));
    } catch (error) {
      setResults((r) => ({ ...r, [incident.incidentKey]: error instanceof ApiError ? error : new ApiError(0, { type: 'about:blank', title: String(error), status: 0 }) }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="incidents" data-testid="incidents">
      <h2>{t('dashboard.incidents')}</h2>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && list.data.length === 0 ? <p className="muted">{t('dashboard.incidents.none')}</p> : null}
      {list.data && list.data.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>{t('dashboard.incidents.created')}</th>
              <th>{t('dashboard.incidents.subject')}</th>
              <th>{t('dashboard.incidents.procedure')}</th>
              <th>{t('dashboard.incidents.step')}</th>
              <th>{t('dashboard.incidents.reason')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((i) => {
              const href = subjectHref(i.subject.subjectType, i.subject.subjectId);
              const label = i.subject.caseNumber ?? i.subject.subjectId ?? i.processInstanceKey;
              const result = results[i.incidentKey];
              return (
                <tr key={i.incidentKey} data-incident={i.incidentKey}>
                  <td>{formatInstant(i.creationTime, locale)}</td>
                  <td>
                    {href ? <Link to={href}>{label}</Link> : label}
                    <div className="muted">
                      <RegionLabel code={i.subject.regionCode} />
                    </div>
                  </td>
                  <td>{i.processDefinitionId ?? '—'}</td>
                  <td>{i.elementId ?? '—'}</td>
                  <td>
                    {bilingual(i.reason, locale)}
                    {i.errorMessage ? (
                      <details>
                        <summary className="muted">{t('dashboard.incidents.engineMessage')}</summary>
                        <code>
                          {i.errorType}: {i.errorMessage}
                        </code>
                      </details>
                    ) : null}
                  </td>
                  <td className="actions">
                    {result && !(result instanceof ApiError) ? (
                      <span className="flash" data-testid="retried">
                        {t('dashboard.incidents.retried', { job: result.jobKey ? t('dashboard.incidents.retriedJob', { job: result.jobKey, retries: result.retries ?? 0 }) : '' })}
                      </span>
                    ) : !canRetry ? null : (
                      <button type="button" onClick={() => void retry(i)} disabled={busy === i.incidentKey} data-testid="retry">
                        {busy === i.incidentKey ? t('dashboard.incidents.retrying') : t('dashboard.incidents.retry')}
                      </button>
                    )}
                    {result instanceof ApiError ? <ErrorBox error={result} /> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {page.data?.truncated ? <p className="muted">{t('dashboard.incidents.more', { n: page.data.items.length, total: page.data.total })}</p> : null}
    </section>
  );
}
