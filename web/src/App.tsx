import { lazy, Suspense, useEffect } from 'react';
import { Layout } from './components/Layout';
import { useI18n } from './i18n';
import { Callback } from './pages/Callback';
import { Intake } from './pages/Intake';
import { SignIn } from './pages/SignIn';
import { Tasks } from './pages/Tasks';
import { match, navigate, useLocation } from './router';
import { useSession } from './session';

// The form and diagram libraries load with the pages that use them: the sign-in and the task list stay light.
const Task = lazy(() => import('./pages/Task').then((m) => ({ default: m.Task })));
const CasePage = lazy(() => import('./pages/Case').then((m) => ({ default: m.CasePage })));
// The dashboard brings chart.js: it loads with its pages only, like the county pages.
const Dashboard = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.Dashboard })));
const DashboardDeadlines = lazy(() => import('./pages/DashboardDeadlines').then((m) => ({ default: m.DashboardDeadlines })));
const County = lazy(() => import('./pages/County').then((m) => ({ default: m.County })));

/** Where to go after signing in: a path of ours (never another origin, never the sign-in again). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') && !next.startsWith('/auth/') ? next : '/tasks';
}

export function App() {
  const { t } = useI18n();
  const { path, search } = useLocation();
  const session = useSession();
  const open = path === '/signin' || path === '/auth/callback';

  const here = path + (search.size ? `?${search.toString()}` : '');
  useEffect(() => {
    if (!session && !open) navigate(`/signin?next=${encodeURIComponent(here)}`, true);
    else if (path === '/') navigate('/tasks', true);
  }, [session, open, path, here]);

  useEffect(() => {
    document.title = t('app.title');
  }, [t]);

  let page;
  let params: Record<string, string> | null;
  if (path === '/signin') page = <SignIn next={safeNext(search.get('next'))} />;
  else if (path === '/auth/callback') page = <Callback />;
  else if (!session) page = null;
  else if (path === '/tasks') page = <Tasks session={session} />;
  else if ((params = match('/tasks/:key', path))) page = <Task key={params.key} taskKey={params.key!} session={session} />;
  else if ((params = match('/cases/:id', path))) page = <CasePage key={params.id} caseId={params.id!} />;
  else if (path === '/intake') page = <Intake session={session} />;
  else if (path === '/dashboard') page = <Dashboard session={session} />;
  else if (path === '/dashboard/deadlines') page = <DashboardDeadlines session={session} />;
  else if (path === '/county') page = <County session={session} />;
  else if (path === '/') page = null;
  else page = <p>{t('common.notFound')}</p>;

  return (
    <Layout session={session}>
      <Suspense fallback={<p>{t('common.loading')}</p>}>{page}</Suspense>
    </Layout>
  );
}
