import type { ReactNode } from 'react';
import { hasRole, signOut, type Session } from '../auth';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { roleLabel } from '../roles';

export function Layout({ session, children }: { session: Session | null; children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const canIntake = session && session.roles.some((r) => r === 'village-committee' || r === 'township-caseworker');
  // County civil affairs watch their county's deadlines too (the SLA views answer them, scoped to their region).
  const canDashboard = hasRole(session, 'supervisor', 'county-civil-affairs');
  const canCounty = hasRole(session, 'county-civil-affairs', 'county-finance', 'bank', 'supervisor');
  return (
    <div className="app">
      <header className="topbar no-print">
        <Link to="/" className="brand">
          {t('app.title')}
        </Link>
        {session ? (
          <nav>
            <Link to="/tasks">{t('nav.tasks')}</Link>
            {canIntake ? <Link to="/intake">{t('nav.intake')}</Link> : null}
            {canDashboard ? <Link to="/dashboard">{t('nav.dashboard')}</Link> : null}
            {canCounty ? <Link to="/county">{t('nav.county')}</Link> : null}
          </nav>
        ) : null}
        <span className="spacer" />
        {session ? (
          <span className="who" data-testid="who">
            {session.roles.map((r) => roleLabel(r, t)).join('、')} · {session.region}
          </span>
        ) : null}
        <button type="button" className="link" onClick={() => setLocale(locale === 'zh' ? 'en' : 'zh')} data-testid="language">
          {t('nav.language')}
        </button>
        {session ? (
          <button
            type="button"
            className="link"
            onClick={() => {
              signOut();
              navigate('/signin');
            }}
          >
            {t('nav.signOut')}
          </button>
        ) : null}
      </header>
      <main>{children}</main>
    </div>
  );
}
