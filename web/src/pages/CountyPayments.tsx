import { useState } from 'react';
import { ApiError } from '../api';
import { currentToken, type Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { formatDate, formatFen, formatInstant } from '../format';
import { labelOr, useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';
import { useApi } from '../useApi';
import { RegionLabel } from './CountyRegion';
import { canDownloadBankFile, countyHref } from './CountyShared';

interface CycleDeadline {
  date: string;
  dueAt: string;
}

/** A payment cycle as GET /payment-cycles answers it (src/payments/payroll.service.ts PaymentCycle). */
interface PaymentCycle {
  id: string;
  countyCode: string;
  month: string;
  calendar: { month: string; dataBy: CycleDeadline; fundsBy: CycleDeadline; creditedBy: CycleDeadline };
  status: string;
  lineCount: number | null;
  totalFen: number | null;
  arrearsLineCount: number | null;
  arrearsTotalFen: number | null;
  failedLines: number;
  returnedLines: number;
  openFollowUps: number;
}

const STEPS = ['dataBy', 'fundsBy', 'creditedBy'] as const;

/** The county's monthly payment cycles; one opened with its calendar, totals, results and (finance, bank) its bank file. */
export function CountyPayments({ session, selected }: { session: Session; selected: string | null }) {
  const { t, locale } = useI18n();
  const cycles = useApi<PaymentCycle[]>('/api/v1/payment-cycles');
  const cycle = useApi<PaymentCycle>(selected ? `/api/v1/payment-cycles/${selected}` : null);
  const c = selected ? cycle.data : undefined;
  const status = (s: string) => labelOr(t, `county.payments.status.${s}`, s);

  return (
    <div className="county-section" data-testid="payments">
      <h2>{t('county.payments.title')}</h2>
      <ErrorBox error={cycles.error} onRetry={cycles.reload} />
      {cycles.data && cycles.data.length === 0 ? <p className="muted">{t('county.payments.none')}</p> : null}
      {cycles.data && cycles.data.length > 0 ? (
        <table data-testid="cycles">
          <thead>
            <tr>
              <th>{t('county.payments.month')}</th>
              <th>{t('county.county')}</th>
              <th>{t('county.payments.status')}</th>
              <th className="num">{t('county.payments.lines')}</th>
              <th className="num">{t('county.payments.total')}</th>
              <th className="num">{t('county.payments.arrears')}</th>
              <th>{t('county.payments.results')}</th>
            </tr>
          </thead>
          <tbody>
            {cycles.data.map((x) => (
              <tr key={x.id} data-cycle={x.id} className={x.id === selected ? 'selected' : undefined}>
                <td>
                  <Link to={x.id === selected ? countyHref('payments') : countyHref('payments', { cycle: x.id })}>{x.month}</Link>
                </td>
                <td>
                  <RegionLabel code={x.countyCode} withCode />
                </td>
                <td>{status(x.status)}</td>
                <td className="num">{x.lineCount ?? '—'}</td>
                <td className="num money">{formatFen(x.totalFen, locale)}</td>
                <td className="num money">{x.arrearsLineCount ? `${formatFen(x.arrearsTotalFen, locale)}（${x.arrearsLineCount}）` : '—'}</td>
                <td>
                  <Results cycle={x} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {selected ? <ErrorBox error={cycle.error} onRetry={cycle.reload} /> : null}
      {c ? (
        <div className="card" data-testid="cycle">
          <h3>
            {c.month} · <RegionLabel code={c.countyCode} /> · {status(c.status)}
          </h3>
          <h3>{t('county.payments.calendar')}</h3>
          <table className="compact">
            <thead>
              <tr>
                <th>{t('county.payments.step')}</th>
                <th>{t('county.payments.date')}</th>
                <th>{t('county.payments.dueAt')}</th>
              </tr>
            </thead>
            <tbody>
              {STEPS.map((step) => (
                <tr key={step} data-step={step}>
                  <td>{t(`county.payments.${step}` as MessageKey)}</td>
                  <td>{formatDate(c.calendar[step]?.date, locale)}</td>
                  <td>{formatInstant(c.calendar[step]?.dueAt, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('county.payments.totals')}</h3>
          <dl className="facts">
            <dt>{t('county.payments.lines')}</dt>
            <dd>{c.lineCount ?? '—'}</dd>
            <dt>{t('county.payments.total')}</dt>
            <dd className="money" data-testid="cycle-total">
              {formatFen(c.totalFen, locale)}
            </dd>
            <dt>{t('county.payments.arrears')}</dt>
            <dd className="money">
              {formatFen(c.arrearsTotalFen, locale)}（{c.arrearsLineCount ?? 0}）
            </dd>
            <dt>{t('county.payments.results')}</dt>
            <dd>
              <Results cycle={c} />
            </dd>
          </dl>
          {canDownloadBankFile(session) ? <BankFile cycle={c} /> : <p className="muted">{t('county.payments.bankFileOnly')}</p>}
        </div>
      ) : null}
    </div>
  );
}

function Results({ cycle }: { cycle: PaymentCycle }) {
  const { t } = useI18n();
  const parts = [
    cycle.failedLines ? t('county.payments.failed', { n: cycle.failedLines }) : null,
    cycle.returnedLines ? t('county.payments.returned', { n: cycle.returnedLines }) : null,
    cycle.openFollowUps ? t('county.payments.followUps', { n: cycle.openFollowUps }) : null,
  ].filter(Boolean);
  return <>{parts.length ? parts.join('，') : '—'}</>;
}

/**
 * The bank file through fetch with the bearer token (a plain link would carry none), handed to the browser as a Blob
 * link; its line count and total from the response's X-Payroll-* headers.
 */
function BankFile({ cycle }: { cycle: PaymentCycle }) {
  const { t, locale } = useI18n();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ file: string; lines: string; total: string } | null>(null);
  const [error, setError] = useState<ApiError | undefined>();

  const download = async (encoding: 'utf-8' | 'gbk') => {
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const response = await fetch(`/api/v1/payment-cycles/${cycle.id}/bank-file${encoding === 'gbk' ? '?encoding=gbk' : ''}`, { headers: { Authorization: `Bearer ${currentToken() ?? ''}` } });
      if (!response.ok) {
        const text = await response.text();
        let problem: Record<string, unknown> = { title: response.statusText };
        try {
          problem = JSON.parse(text) as Record<string, unknown>;
        } catch {
          /* not problem+json */
        }
        throw new ApiError(response.status, { type: 'about:blank', title: '', status: response.status, ...problem });
      }
      const blob = await response.blob();
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const file = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `payroll-${cycle.countyCode}-${cycle.month}.csv`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      const totalFen = Number(response.headers.get('X-Payroll-Total-Fen'));
      setDone({ file, lines: response.headers.get('X-Payroll-Lines') ?? '—', total: formatFen(Number.isFinite(totalFen) ? totalFen : null, locale) });
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, { type: 'about:blank', title: String(e), status: 0 }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="toolbar">
      <button type="button" className="primary" disabled={busy} onClick={() => void download('utf-8')} data-testid="bank-file">
        {busy ? t('county.payments.downloading') : t('county.payments.bankFile')}
      </button>
      <button type="button" disabled={busy} onClick={() => void download('gbk')}>
        {t('county.payments.bankFileGbk')}
      </button>
      {done ? (
        <span className="flash" data-testid="bank-file-done">
          {t('county.payments.downloaded', done)}
        </span>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
