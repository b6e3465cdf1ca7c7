import { useEffect, useState } from 'react';
import { call } from './api';
import { ErrorBox, Loading, num, pct, useAsync } from './components/ui';
import { EvaluationPage } from './pages/EvaluationPage';
import { ImportPage } from './pages/ImportPage';
import { ProfilePage } from './pages/ProfilePage';
import { RecommendationsPage } from './pages/RecommendationsPage';
import { SettingsPage } from './pages/SettingsPage';
import { TrainingPage } from './pages/TrainingPage';
import { t } from './strings';

type Page = 'import' | 'profile' | 'recommendations' | 'training' | 'evaluation' | 'settings';
const PAGES: { id: Page; label: string }[] = (['recommendations', 'profile', 'import', 'training', 'evaluation', 'settings'] as const).map((id) => ({ id, label: t(`page.${id}`) }));

export function App() {
  const stats = useAsync(() => call('library:stats', {}), []);
  const info = useAsync(() => call('app:info', {}), []);
  const [page, setPage] = useState<Page | null>(null);
  const [profileId, setProfileId] = useState<number | null>(null);
  const profile = useAsync(() => (profileId ? call('profile:get', { profileId }) : Promise.resolve(null)), [profileId, stats.data]);

  useEffect(() => {
    if (!stats.data) return;
    if (profileId === null && stats.data.profiles.length) setProfileId(stats.data.profiles[0].id);
    // The first page needs both answers: whichever arrives first must not decide alone.
    if (page === null && (info.data || info.error)) setPage(stats.data.events === 0 ? 'import' : info.data?.servingRunId ? 'recommendations' : 'training');
  }, [stats.data, info.data, info.error, page, profileId]);

  const refresh = () => {
    stats.reload();
    info.reload();
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1>{t('app.title')}</h1>
        {stats.data && stats.data.profiles.length > 0 && (
          <label className="profile-picker">
            {t('app.profile')}
            <select value={profileId ?? ''} onChange={(e) => setProfileId(Number(e.target.value))}>
              {stats.data.profiles.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </label>
        )}
      </header>
      <nav className="sidebar" aria-label={t('app.pages')}>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <button type="button" className={page === p.id ? 'active' : ''} aria-current={page === p.id ? 'page' : undefined} onClick={() => setPage(p.id)}>
                {p.label}
              </button>
            </li>
          ))}
        </ul>
        {stats.data && (
          <div className="library-stats" aria-label={t('app.library')}>
            <p><strong>{num(stats.data.tracks)}</strong> {t('app.tracks')}</p>
            <p><strong>{num(stats.data.events)}</strong> {t('app.listens')}</p>
            {stats.data.events > 0 && <p className="muted small">{t('app.matched', { share: pct(stats.data.trackMatch) })}</p>}
          </div>
        )}
      </nav>
      <main className="content">
        {stats.error && <ErrorBox message={stats.error} onRetry={refresh} />}
        {!stats.data && !stats.error && <Loading label={t('app.opening')} />}
        {stats.data && page === 'import' && <ImportPage onImported={refresh} hasCatalog={stats.data.tracks > 0} communitySources={stats.data.communitySources} />}
        {stats.data && page === 'profile' && <ProfilePage profileId={profileId} />}
        {stats.data && page === 'recommendations' && (
          <RecommendationsPage profileId={profileId} genres={profile.data?.topGenres.map((g) => g.genre) ?? []} onNeedTraining={() => setPage('training')} />
        )}
        {stats.data && page === 'training' && <TrainingPage backend={info.data?.backend ?? null} onTrained={refresh} />}
        {stats.data && page === 'evaluation' && <EvaluationPage profileId={profileId} profileName={profile.data?.name ?? null} />}
        {stats.data && page === 'settings' && <SettingsPage info={info.data} onChanged={refresh} />}
      </main>
      <footer className="statusbar">
        <span>{t('app.private')}</span>
        <span>{info.data?.backend ? t('app.backend', { name: info.data.backend }) : ''}</span>
      </footer>
    </div>
  );
}
