import { useMemo, useState } from 'react';
import { api, ApiError, query } from '../api';
import type { Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { SlaChart, type Series } from '../components/SlaChart';
import { bilingual, formatInstant } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';

interface ByType {
  type: string;
  open: number;
  atRisk: number;
  breached: number;
  met: number;
}
interface SummaryLine extends Omit<ByType, 'type'> {
  region: string;
  name: string | null;
  byType: ByType[];
  timeToDecision: { procedure: string; decided: number; medianDays: number; p95Days: number }[];
}
interface DeadlineRow {
  id: string;
  type: string;
  subjectType: string;
  subjectId: string;
  regionCode: string;
  regionName: string | null;
  caseNumber: string | null;
  dueAt: string;
  metAt: string | null;
  breachedAt: string | null;
}
interface Incident {
  incidentKey: string;
  processDefinitionId: string | null;
  elementId: string | null;
  reason: string;
  creationTime: string | null;
  subject: { subjectType: string | null; subjectId: string | null; regionCode: string; caseNumber?: string };
}

const STATUSES = ['open', 'atRisk', 'breached', 'met'] as const;
const API_STATUS: Record<(typeof STATUSES)[number], string> = { open: 'open', atRisk: 'at-risk', breached: 'breached', met: 'met' };
const COLORS: Record<(typeof STATUSES)[number], string> = { open: '#8ab4f8', atRisk: '#f4b400', breached: '#d93025', met: '#34a853' };

/**
 * Supervisors: per township of the county (or village of a township) the deadlines open, at risk, breached and met,
 * by type, and the days to decision; every number opens the deadlines behind it, each with its case; open engine
 * incidents with a retry.
 */
export function Sla({ session }: { session: Session }) {
  const { t, locale } = useI18n();
  const { search } = useLocation();
  const own = session.region;
  const region = search.get('region') && search.get('region')!.startsWith(own) ? search.get('region')! : own;
  const status = (STATUSES as readonly string[]).includes(search.get('status') ?? '') ? (search.get('status') as (typeof STATUSES)[number]) : null;
  const within = search.get('within') ?? region;
  const type = search.get('type') ?? undefined;
  const place = useApi<{ name: string }>(`/api/v1/regions/${region}`);
  const summary = useApi<SummaryLine[]>(`/api/v1/sla/summary${query({ region })}`);
  const deadlines = useApi<DeadlineRow[]>(status ? `/api/v1/sla/deadlines${query({ region: within, status: API_STATUS[status], type })}` : null);
  const incidents = useApi<Incident[]>(`/api/v1/sla/incidents${query({ region })}`);
  const [retryError, setRetryError] = useState<ApiError | undefined>();
  const [retried, setRetried] = useState<Set<string>>(new Set());

  const go = (changes: Record<string, string | undefined>) => navigate(`/sla${query({ region, status: status ?? undefined, within: status ? within : undefined, type, ...changes })}`);
  const open = (line: string, s: (typeof STATUSES)[number], deadlineType?: string) => go({ within: line, status: s, type: deadlineType });
  const lines = summary.data ?? [];
  const label = (line: SummaryLine) => line.name ?? line.region;
  const { labels, series } = useMemo(
    () => ({ labels: lines.map(label), series: STATUSES.map((s): Series => ({ label: t(`sla.${s}` as MessageKey), color: COLORS[s], values: lines.map((l) => l[s]) })) }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [summary.data, locale],
  );
  const typeLabel = (x: string) => (t(`case.deadline.type.${x}` as MessageKey) === `case.deadline.type.${x}` ? x : t(`case.deadline.type.${x}` as MessageKey));

  const retry = async (incident: Incident) => {
    setRetryError(undefined);
    try {
      await api(`/api/v1/sla/incidents/${incident.incidentKey}/retry`, { method: 'POST' });
      setRetried((r) => new Set(r).add(incident.incidentKey));
      incidents.reload();
    } catch (e) {
      setRetryError(e as ApiError);
    }
  };

  const count = (line: SummaryLine, s: (typeof STATUSES)[number], n: number, deadlineType?: string) =>
    n === 0 ? (
      <span className="muted">0</span>
    ) : (
      <button type="button" className={`link count count-${s}`} onClick={() => open(line.region, s, deadlineType)} data-region={line.region} data-status={s} data-type={deadlineType}>
        {n}
      </button>
    );

  return (
    <section>
      <h1>{t('sla.title')}</h1>
      <p>
        {t('sla.region')}: <strong data-testid="sla-region">{place.data?.name ?? region}</strong> <span className="muted">{region}</span>{' '}
        {region !== own ? (
          <button type="button" className="link" onClick={() => navigate(`/sla${query({ region: region.slice(0, region.length - 3) })}`)}>
            {t('sla.up')}
          </button>
        ) : null}
      </p>
      <ErrorBox error={summary.error} onRetry={summary.reload} />
      {lines.length ? (
        <div className="card">
          <h2>{t('sla.chart')}</h2>
          <SlaChart labels={labels} series={series} onPick={(i, s) => open(lines[i]!.region, STATUSES[s]!)} />
        </div>
      ) : null}
      <table className="sla">
        <thead>
          <tr>
            <th>{t('sla.region')}</th>
            {STATUSES.map((s) => (
              <th key={s}>{t(`sla.${s}` as MessageKey)}</th>
            ))}
            <th>
              {t('sla.days')} <span className="muted">({t('sla.median')} / {t('sla.p95')})</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.region} data-summary={line.region}>
              <td>
                {line.region.length < 12 ? (
                  <button type="button" className="link" onClick={() => navigate(`/sla${query({ region: line.region })}`)}>
                    {label(line)}
                  </button>
                ) : (
                  label(line)
                )}
                <details>
                  <summary className="muted">{t('sla.byType')}</summary>
                  <table className="compact">
                    <tbody>
                      {line.byType.map((b) => (
                        <tr key={b.type}>
                          <td>{typeLabel(b.type)}</td>
                          {STATUSES.map((s) => (
                            <td key={s}>{count(line, s, b[s], b.type)}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              </td>
              {STATUSES.map((s) => (
                <td key={s}>{count(line, s, line[s])}</td>
              ))}
              <td>
                {(line.timeToDecision ?? []).map((d) => (
                  <div key={d.procedure}>
                    {t(`sla.procedure.${d.procedure}` as MessageKey) === `sla.procedure.${d.procedure}` ? d.procedure : t(`sla.procedure.${d.procedure}` as MessageKey)}: {t('sla.daysValue', { median: d.medianDays, p95: d.p95Days, n: d.decided })}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {status ? (
        <div className="card" data-testid="sla-deadlines">
          <h2>
            {t('sla.deadlines')} <span className="muted">{t('sla.filter', { region: lines.find((l) => l.region === within)?.name ?? within, status: t(`sla.${status}` as MessageKey) })}</span>
            {type ? <span className="muted"> · {typeLabel(type)}</span> : null}
          </h2>
          <ErrorBox error={deadlines.error} onRetry={deadlines.reload} />
          <table>
            <thead>
              <tr>
                <th>{t('sla.col.case')}</th>
                <th>{t('sla.col.type')}</th>
                <th>{t('sla.col.region')}</th>
                <th>{t('sla.col.due')}</th>
                <th>{t('sla.col.state')}</th>
              </tr>
            </thead>
            <tbody>
              {(deadlines.data ?? []).map((d) => (
                <tr key={d.id} data-deadline-row={d.type}>
                  <td>{d.subjectType === 'dibao-case' ? <Link to={`/cases/${d.subjectId}`}>{d.caseNumber ?? d.subjectId}</Link> : (d.caseNumber ?? d.subjectId)}</td>
                  <td>{typeLabel(d.type)}</td>
                  <td>{d.regionName ?? d.regionCode}</td>
                  <td>{formatInstant(d.dueAt, locale)}</td>
                  <td>{d.breachedAt ? <span className="mark mark-overdue">{t('sla.breached')}</span> : d.metAt ? t('sla.met') : t('sla.open')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {deadlines.data?.length === 0 ? <p className="muted">{t('sla.noDeadlines')}</p> : null}
        </div>
      ) : null}
      <div className="card">
        <h2>{t('sla.incidents')}</h2>
        <ErrorBox error={incidents.error ?? retryError} onRetry={incidents.error ? incidents.reload : undefined} />
        {incidents.data?.length === 0 ? <p className="muted">{t('sla.noIncidents')}</p> : null}
        {incidents.data?.length ? (
          <table>
            <thead>
              <tr>
                <th>{t('sla.col.case')}</th>
                <th>{t('sla.col.reason')}</th>
                <th>{t('sla.col.since')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {incidents.data.map((i) => (
                <tr key={i.incidentKey}>
                  <td>
                    {i.subject.subjectType === 'dibao-case' && i.subject.subjectId ? <Link to={`/cases/${i.subject.subjectId}`}>{i.subject.caseNumber ?? i.subject.subjectId}</Link> : (i.subject.caseNumber ?? i.processDefinitionId)}
                    <div className="muted">{i.elementId}</div>
                  </td>
                  <td>{bilingual(i.reason, locale)}</td>
                  <td>{formatInstant(i.creationTime, locale)}</td>
                  <td>
                    {retried.has(i.incidentKey) ? (
                      t('sla.retried')
                    ) : (
                      <button type="button" onClick={() => retry(i)}>
                        {t('sla.retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}
