import { ErrorBox } from '../components/ErrorBox';
import { formatDate, formatInstant } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';
import type { Page, TaskCaseContext, TaskPage, TaskSummary } from '../types';
import { useApi } from '../useApi';
import { RegionLabel } from './CountyRegion';
import { countyHref } from './CountyShared';

/** A sampling batch as GET /sampling/batches answers it (src/sampling/sampling.service.ts toBatch). */
interface Batch {
  id: string;
  countyCode: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  ratioPercent: number;
  relativesPercent: number;
  algorithm: string;
  seed: string;
  counts: { decisions: number; relativesCases: number; complaints: number };
  required: { total: number; relatives: number };
  selected: { subjectId: string; reasons: ('complaint' | 'relatives' | 'random')[] }[];
  progress: { selected: number; reviewed: number };
  drawnAt: string;
}

/** The process of a county's sampling batch (bpmn/county-sampling-batch.bpmn): its user tasks are the reviews. */
const SAMPLING_PROCEDURE = 'county-sampling-batch';

const caseOf = (task: TaskSummary): TaskCaseContext | null => (task.context && task.context.subjectType !== 'payment-cycle' && task.context.subjectType !== 'reserve-fund-alert' ? (task.context as TaskCaseContext) : null);

/** Sampling batches of the county, one opened with its selection and the open review tasks of its cases. */
export function CountySampling({ selected }: { selected: string | null }) {
  const { t, locale } = useI18n();
  // A county draws one batch a month: the API's largest page (200, newest first) is years of them.
  const page = useApi<Page<Batch>>('/api/v1/sampling/batches?limit=200');
  const batches = { ...page, data: page.data?.items };
  const batch = useApi<Batch>(selected ? `/api/v1/sampling/batches/${selected}` : null);
  const tasks = useApi<TaskPage>(`/api/v1/tasks?procedure=${SAMPLING_PROCEDURE}&limit=200`);
  const b = selected ? batch.data : undefined;
  const selectedIds = new Set(b?.selected.map((s) => s.subjectId) ?? []);
  // A review task names the case it reviews (its context); the batch's own instance carries the batch as subject.
  const reviewTasks = (tasks.data?.items ?? []).filter((task) => !b || task.subjectId === b.id || selectedIds.has(caseOf(task)?.subjectId ?? ''));
  const known = new Map((tasks.data?.items ?? []).map((task) => caseOf(task)).filter((c): c is TaskCaseContext => !!c).map((c) => [c.subjectId, c]));

  return (
    <div className="county-section" data-testid="sampling">
      <h2>{t('county.sampling.title')}</h2>
      <ErrorBox error={batches.error} onRetry={batches.reload} />
      {batches.data && batches.data.length === 0 ? <p className="muted">{t('county.sampling.none')}</p> : null}
      {batches.data && batches.data.length > 0 ? (
        <table data-testid="batches">
          <thead>
            <tr>
              <th>{t('county.sampling.period')}</th>
              <th>{t('county.county')}</th>
              <th className="num">{t('county.sampling.decisions')}</th>
              <th className="num">{t('county.sampling.relatives')}</th>
              <th className="num">{t('county.sampling.complaints')}</th>
              <th className="num">{t('county.sampling.required')}</th>
              <th className="num">{t('county.sampling.progress')}</th>
              <th>{t('county.sampling.drawnAt')}</th>
            </tr>
          </thead>
          <tbody>
            {batches.data.map((x) => (
              <tr key={x.id} data-batch={x.id} className={x.id === selected ? 'selected' : undefined}>
                <td>
                  <Link to={x.id === selected ? countyHref('sampling') : countyHref('sampling', { batch: x.id })}>{x.period}</Link>
                </td>
                <td>
                  <RegionLabel code={x.countyCode} withCode />
                </td>
                <td className="num">{x.counts.decisions}</td>
                <td className="num">{x.counts.relativesCases}</td>
                <td className="num">{x.counts.complaints}</td>
                <td className="num">
                  {x.required.total}（{x.required.relatives}）
                </td>
                <td className="num">
                  {x.progress.reviewed} / {x.progress.selected}
                </td>
                <td>{formatInstant(x.drawnAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {selected ? <ErrorBox error={batch.error} onRetry={batch.reload} /> : null}
      {b ? (
        <div className="card" data-testid="batch">
          <h3>
            {b.period} · <RegionLabel code={b.countyCode} />
          </h3>
          <dl className="facts">
            <dt>{t('county.sampling.period')}</dt>
            <dd>
              {formatDate(b.periodStart, locale)} – {formatDate(new Date(new Date(b.periodEnd).getTime() - 1), locale)}
            </dd>
            <dt>{t('county.sampling.required')}</dt>
            <dd>{t('county.sampling.ratio', { ratio: b.ratioPercent, relatives: b.relativesPercent })}</dd>
            <dt>{t('county.sampling.algorithm')}</dt>
            <dd>
              <code>{b.algorithm}</code>
            </dd>
            <dt>{t('county.sampling.seed')}</dt>
            <dd>
              <code>{b.seed}</code>
            </dd>
          </dl>
          <h3>{t('county.sampling.selected')}</h3>
          <table className="compact">
            <thead>
              <tr>
                <th>{t('county.sampling.subject')}</th>
                <th>{t('county.sampling.reasons')}</th>
              </tr>
            </thead>
            <tbody>
              {b.selected.map((s) => {
                const c = known.get(s.subjectId);
                return (
                  <tr key={s.subjectId}>
                    <td>
                      <Link to={`/cases/${s.subjectId}`}>{c ? `${c.caseNumber} ${c.applicantName}` : s.subjectId}</Link>
                    </td>
                    <td>
                      {s.reasons.map((r) => (
                        <span key={r} className="chip">
                          {t(`county.sampling.reason.${r}` as MessageKey)}
                        </span>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}

      <h3>{t('county.sampling.tasks')}</h3>
      <ErrorBox error={tasks.error} onRetry={tasks.reload} />
      {tasks.data && reviewTasks.length === 0 ? <p className="muted">{t('county.sampling.tasks.none')}</p> : null}
      {reviewTasks.length > 0 ? (
        <table data-testid="review-tasks">
          <thead>
            <tr>
              <th>{t('county.sampling.task')}</th>
              <th>{t('county.sampling.task.case')}</th>
              <th>{t('county.sampling.task.assignee')}</th>
              <th>{t('county.sampling.task.due')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {reviewTasks.map((task) => {
              const c = caseOf(task);
              return (
                <tr key={task.userTaskKey} data-task={task.userTaskKey}>
                  <td>{task.name ?? task.elementId}</td>
                  <td>
                    {c ? (
                      <>
                        <Link to={`/cases/${c.subjectId}`}>{c.caseNumber}</Link> {c.applicantName}
                        <div className="muted">{[c.townshipName, c.villageName].filter(Boolean).join(' ')}</div>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{task.assignee ?? '—'}</td>
                  <td>{formatInstant(task.dueDate ?? c?.dueAt, locale)}</td>
                  <td>
                    <Link to={`/tasks/${task.userTaskKey}`}>{t('county.sampling.task.open')}</Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
