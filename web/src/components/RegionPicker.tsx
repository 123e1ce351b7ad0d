import { useEffect } from 'react';
import type { Session } from '../auth';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';
import { Field } from './Field';

interface Region {
  code: string;
  name: string;
}

/**
 * The village of an application, from the region registry (GET /regions?parent=…): a village committee's own village,
 * a township caseworker's villages, a county's townships then villages.
 */
export function RegionPicker({ session, township, village, onTownship, onVillage, errors }: {
  session: Session;
  township: string;
  village: string;
  onTownship(code: string): void;
  onVillage(code: string): void;
  errors: Record<string, string[]>;
}) {
  const { t } = useI18n();
  const own = session.region;
  const county = own.slice(0, 6);
  const townships = useApi<Region[]>(own.length === 6 ? `/api/v1/regions?parent=${county}` : null);
  const fixedTownship = own.length >= 9 ? own.slice(0, 9) : township;
  const villages = useApi<Region[]>(own.length < 12 && fixedTownship ? `/api/v1/regions?parent=${fixedTownship}` : null);
  const ownVillage = useApi<Region & { chain: Region[] }>(own.length === 12 ? `/api/v1/regions/${own}` : null);

  useEffect(() => {
    if (own.length === 12 && village !== own) onVillage(own);
  }, [own, village, onVillage]);

  if (own.length === 12) {
    return (
      <Field label={t('intake.village')} path="regionCode" errors={errors}>
        <input readOnly value={ownVillage.data ? ownVillage.data.chain.slice(-2).map((r) => r.name).reverse().join(' · ') : own} />
      </Field>
    );
  }
  return (
    <>
      {own.length === 6 ? (
        <Field label={t('intake.township')} path="township" errors={errors}>
          <select value={township} onChange={(e) => onTownship(e.target.value)} name="township">
            <option value="">{t('intake.choose')}</option>
            {(townships.data ?? []).map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      <Field label={t('intake.village')} path="regionCode" errors={errors}>
        <select value={village} onChange={(e) => onVillage(e.target.value)} name="regionCode">
          <option value="">{t('intake.choose')}</option>
          {(villages.data ?? []).map((r) => (
            <option key={r.code} value={r.code}>
              {r.name}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
