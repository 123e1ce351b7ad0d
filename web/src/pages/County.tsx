import type { Session } from '../auth';
import { useI18n, type MessageKey } from '../i18n';
import { navigate, useLocation } from '../router';
import { countyHref, countyTabsOf, type CountyTab } from './CountyShared';
import { CountyFunds } from './CountyFunds';
import { CountyPayments } from './CountyPayments';
import { CountySampling } from './CountySampling';
import './Dashboard.css';

/** The county pages: sampling batches and their review tasks, payment cycles, reserve funds; one tab each. */
export function County({ session }: { session: Session }) {
  const { t } = useI18n();
  const { search } = useLocation();
  const tabs = countyTabsOf(session);
  const asked = search.get('tab') as CountyTab | null;
  const tab = asked && tabs.includes(asked) ? asked : tabs[0];
  if (!tab) return <p className="notice">{t('county.noAccess')}</p>;
  return (
    <section>
      <h1>{t('county.title')}</h1>
      <div className="tabs toolbar" role="tablist">
        {tabs.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={x === tab} className={x === tab ? 'active' : ''} onClick={() => navigate(countyHref(x))} data-tab={x}>
            {t(`county.tab.${x}` as MessageKey)}
          </button>
        ))}
      </div>
      {tab === 'sampling' ? <CountySampling selected={search.get('batch')} /> : null}
      {tab === 'payments' ? <CountyPayments session={session} selected={search.get('cycle')} /> : null}
      {tab === 'funds' ? <CountyFunds session={session} selected={search.get('township')} /> : null}
    </section>
  );
}

