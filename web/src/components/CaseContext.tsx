import { bilingual, formatFen, formatInstant } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';
import type { TaskCaseContext, TaskCycleContext, TaskFundContext } from '../types';

const fen = (v: unknown) => (typeof v === 'number' ? v : null);

/** Which family, which village, which case: beside the form, so the caseworker never needs another screen. */
export function CaseContext({ context }: { context: TaskCaseContext | TaskCycleContext | TaskFundContext | null }) {
  const { t, locale } = useI18n();
  if (!context) return <p className="muted">{t('common.none')}</p>;
  if (context.subjectType === 'payment-cycle') {
    const c = context as TaskCycleContext;
    return (
      <dl className="facts">
        <dt>{t('task.county')}</dt>
        <dd>{c.countyName ?? c.countyCode}</dd>
        <dt>{t('task.month')}</dt>
        <dd>{c.monthText}</dd>
        <dt>{t('task.lines')}</dt>
        <dd>{c.lineCount ?? '—'}</dd>
        <dt>{t('task.total')}</dt>
        <dd>{formatFen(c.totalFen, locale)}</dd>
        <dt>{t('task.due')}</dt>
        <dd>{formatInstant(c.dueAt, locale)}</dd>
      </dl>
    );
  }
  if (context.subjectType === 'reserve-fund-alert') {
    const c = context as TaskFundContext;
    return (
      <dl className="facts">
        <dt>{t('task.township')}</dt>
        <dd>
          <Link to="/county">{c.townshipName ?? c.townshipCode}</Link>
        </dd>
        <dt>{t('task.county')}</dt>
        <dd>{c.countyName ?? c.countyCode}</dd>
        <dt>{t('task.fundBalance')}</dt>
        <dd>{formatFen(c.balanceFen, locale)}</dd>
        <dt>{t('task.fundThreshold')}</dt>
        <dd>{formatFen(c.thresholdFen, locale)}</dd>
        <dt>{t('task.alertStatus')}</dt>
        <dd>{t(`task.alert.${c.alertStatus}` as MessageKey)}</dd>
        <dt>{t('task.due')}</dt>
        <dd>{formatInstant(c.dueAt, locale)}</dd>
      </dl>
    );
  }
  const c = context as TaskCaseContext;
  const facts = c.facts;
  return (
    <div className="case-context">
      <dl className="facts">
        <dt>{t('task.applicant')}</dt>
        <dd data-testid="applicant">{c.applicantName}</dd>
        <dt>{t('task.idNumber')}</dt>
        <dd>{c.applicantIdNumber ?? '—'}</dd>
        <dt>{t('task.caseNumber')}</dt>
        <dd>
          {c.subjectType === 'dibao-case' ? <Link to={`/cases/${c.subjectId}`}>{c.caseNumber}</Link> : c.caseNumber}
        </dd>
        <dt>{t('task.place')}</dt>
        <dd>
          {c.villageName ?? c.villageCode} · {c.townshipName ?? c.townshipCode}
        </dd>
        <dt>{t('task.householdSize')}</dt>
        <dd>{t('tasks.persons', { n: c.householdSize })}</dd>
        <dt>{t('task.due')}</dt>
        <dd>{formatInstant(c.dueAt, locale)}</dd>
      </dl>
      {facts ? (
        <>
          <h3>{t('task.members')}</h3>
          <table className="compact">
            <tbody>
              {facts.members.map((m, i) => (
                <tr key={i}>
                  <td>{String(m.name ?? '')}</td>
                  <td>{t(`task.relation.${String(m.relation)}` as MessageKey)}</td>
                  <td>{m.age !== undefined ? t('task.age', { n: String(m.age) }) : ''}</td>
                  <td className="muted">{String(m.idNumber ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('task.incomes')}</h3>
          <IncomeList title={t('task.declared')} rows={facts.incomes.declared} />
          {facts.incomes.verified ? <IncomeList title={t('task.verified')} rows={facts.incomes.verified} /> : null}
          {facts.assessment ? (
            <>
              <h3>{t('task.assessment')}</h3>
              <dl className="facts">
                {'eligible' in facts.assessment ? (
                  <>
                    <dt>{t('task.eligible')}</dt>
                    <dd>{facts.assessment.eligible ? t('common.yes') : t('common.no')}</dd>
                  </>
                ) : null}
                {fen(facts.assessment.perCapitaIncomeFen) !== null ? (
                  <>
                    <dt>{t('task.perCapita')}</dt>
                    <dd>{formatFen(fen(facts.assessment.perCapitaIncomeFen), locale)}</dd>
                  </>
                ) : null}
                {fen(facts.assessment.monthlyBenefitFen) !== null ? (
                  <>
                    <dt>{t('task.benefit')}</dt>
                    <dd>{formatFen(fen(facts.assessment.monthlyBenefitFen), locale)}</dd>
                  </>
                ) : null}
              </dl>
            </>
          ) : null}
          {facts.steps.length ? (
            <>
              <h3>{t('task.steps')}</h3>
              <ol className="steps">
                {facts.steps.map((s, i) => (
                  <li key={i}>
                    <strong>{bilingual(s.step, locale)}</strong> · {s.actorId} · {formatInstant(s.completedAt, locale)}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          {facts.objections.length ? (
            <>
              <h3>{t('task.objections')}</h3>
              <ul>
                {facts.objections.map((o, i) => (
                  <li key={i}>{String(o.text ?? '')}</li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function IncomeList({ title, rows }: { title: string; rows: Record<string, unknown>[] }) {
  const { t, locale } = useI18n();
  return (
    <p>
      <span className="muted">{title}：</span>
      {rows.length === 0
        ? t('task.noIncome')
        : rows.map((r, i) => (
            <span key={i} className="chip">
              {t(`task.income.${String(r.category)}` as MessageKey)} {formatFen(fen(r.monthlyFen), locale)}
            </span>
          ))}
    </p>
  );
}
