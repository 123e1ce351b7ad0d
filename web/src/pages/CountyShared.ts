import { query } from '../api';
import { hasRole, type Session } from '../auth';

/** Who sees which county page, as the API's @Roles allow (src/sampling, src/payments, src/temporary-aid controllers). */
export const COUNTY_TABS = {
  sampling: ['county-civil-affairs', 'supervisor'],
  payments: ['county-civil-affairs', 'county-finance', 'bank', 'supervisor'],
  funds: ['county-civil-affairs', 'county-finance', 'supervisor', 'township-caseworker', 'township-leader'],
} as const;
export type CountyTab = keyof typeof COUNTY_TABS;

export const countyTabsOf = (session: Session | null): CountyTab[] => (Object.keys(COUNTY_TABS) as CountyTab[]).filter((tab) => hasRole(session, ...COUNTY_TABS[tab]));

/** A link within the county pages: the tab and its selection in the URL. */
export const countyHref = (tab: CountyTab, params: Record<string, string | undefined> = {}) => `/county${query({ tab, ...params })}`;

/** The bank file downloads (GET /payment-cycles/:id/bank-file): county finance and the paying bank only. */
export const canDownloadBankFile = (session: Session | null) => hasRole(session, 'county-finance', 'bank');

export interface RegionName {
  code: string;
  name: string;
}
