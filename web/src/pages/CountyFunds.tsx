import type { Session } from '../auth';
import { ErrorBox } from '../components/ErrorBox';
import { bilingual, formatFen, formatInstant } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { Link } from '../router';
import { useApi } from '../useApi';
import { countyHref, type RegionName } from './CountyShared';

/** GET /reserve-funds and /reserve-funds/:township (src/temporary-aid/reserve-fund.service.ts). */
interface Fund {
  townshipCode: string;
  countyCode: string;
  balanceFen: number;
}

interface Ledger {
  townshipCode: string;
  balanceFen: number;
  entries: { id: string; kind: 'advance' | 'debit' | 'replenishment'; amountFen: number; balanceAfterFen: number; requestId: string | null; note: string; at: string; actorId: string }[];
}

/** Each township's reserve fund for rescue first: its balance, and one opened with its ledger. */
export function CountyFunds({ session, selected }: { session: Session; selected: string | null }) {
  const { t, locale } = useI18n();
  const funds = useApi<Fund[]>('/api/v1/reserve-funds');
  const ledger = useApi<Ledger>(selected ? `/api/v1/reserve-funds/${selected}` : null);
  // The townships' names from the region registry (a county's children; a township user's own).
  const county = session.region.slice(0, 6);
  const townships = useApi<RegionName[]>(`/api/v1/regions?parent=${county}`);
  const names = new Map((townships.data ?? []).map((r) => [r.code, r.name]));
  const nameOf = (code: string) => names.get(code) ?? code;
  const l = selected ? ledger.data : undefined;

  return (
    <div className="county-section" data-testid="funds">
      <h2>{t('county.funds.title')}</h2>
      <ErrorBox error={funds.error} onRetry={funds.reload} />
      {funds.data && funds.data.length === 0 ? <p className="muted">{t('county.funds.none')}</p> : null}
      {funds.data && funds.data.length > 0 ? (
        <table data-testid="fund-list">
          <thead>
            <tr>
              <th>{t('county.funds.township')}</th>
              <th className="num">{t('county.funds.balance')}</th>
            </tr>
          </thead>
          <tbody>
            {funds.data.map((f) => (
              <tr key={f.townshipCode} data-township={f.townshipCode} className={f.townshipCode === selected ? 'selected' : undefined}>
                <td>
                  <Link to={f.townshipCode === selected ? countyHref('funds') : countyHref('funds', { township: f.townshipCode })}>{nameOf(f.townshipCode)}</Link>{' '}
                  <span className="muted">{f.townshipCode}</span>
                </td>
                <td className="num money" data-testid="fund-balance">
                  {formatFen(f.balanceFen, locale)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {selected ? <ErrorBox error={ledger.error} onRetry={ledger.reload} /> : null}
      {l ? (
        <div className="card" data-testid="ledger">
          <h3>
            {t('county.funds.ledger', { township: nameOf(l.townshipCode) })} · {t('county.funds.balance')} <span className="money">{formatFen(l.balanceFen, locale)}</span>
          </h3>
          {l.entries.length === 0 ? (
            <p className="muted">{t('county.funds.entries.none')}</p>
          ) : (
            <table className="compact">
              <thead>
                <tr>
                  <th>{t('county.funds.at')}</th>
                  <th>{t('county.funds.kind')}</th>
                  <th className="num">{t('county.funds.amount')}</th>
                  <th className="num">{t('county.funds.balanceAfter')}</th>
                  <th>{t('county.funds.note')}</th>
                  <th>{t('county.funds.actor')}</th>
                </tr>
              </thead>
              <tbody>
                {l.entries.map((e) => (
                  <tr key={e.id} data-entry={e.kind}>
                    <td>{formatInstant(e.at, locale)}</td>
                    <td>{t(`county.funds.kind.${e.kind}` as MessageKey)}</td>
                    <td className="num money">{formatFen(e.kind === 'debit' ? -Math.abs(e.amountFen) : e.amountFen, locale)}</td>
                    <td className="num money">{formatFen(e.balanceAfterFen, locale)}</td>
                    <td>{bilingual(e.note, locale)}</td>
                    <td>{e.actorId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ) : null}
    </div>
  );
}
