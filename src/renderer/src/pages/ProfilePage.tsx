import { formatDate, t } from '../strings';
import { useState } from 'react';
import type { ProfileDetail } from '../../../shared/ipc';
import { call } from '../api';
import { BarChart, HBars } from '../components/charts';
import { Empty, ErrorBox, Loading, num, useAsync } from '../components/ui';

export function ProfilePage({ profileId }: { profileId: number | null }) {
  const { data, error, loading, reload } = useAsync(() => (profileId ? call('profile:get', { profileId }) : Promise.resolve(null)), [profileId]);
  if (!profileId) return <Empty title={t('recs.noProfile')}>{t('profile.noProfileHint')}</Empty>;
  if (loading && !data) return <Loading />;
  if (error) return <ErrorBox message={error} onRetry={reload} />;
  if (!data) return null;
  return (
    <section aria-labelledby="profile-title">
      <h2 id="profile-title">{data.name}</h2>
      <div className="stats-row">
        <div className="stat"><span className="stat-value">{num(data.events)}</span><span className="stat-label">{t('app.listens')}</span></div>
        {data.saved ? <div className="stat"><span className="stat-value">{num(data.saved)}</span><span className="stat-label">{t('profile.savedTracks')}</span></div> : null}
        <div className="stat"><span className="stat-value">{num(Math.round(data.hours))}</span><span className="stat-label">{t('profile.hours')}</span></div>
        <div className="stat"><span className="stat-value">{data.first ? formatDate(data.first) : '—'}</span><span className="stat-label">{t('profile.first')}</span></div>
        <div className="stat"><span className="stat-value">{data.last ? formatDate(data.last) : '—'}</span><span className="stat-label">{t('profile.last')}</span></div>
      </div>
      <div className="cards">
        <div className="card wide">
          <h3>{t('profile.perMonth')}</h3>
          <BarChart data={data.monthlyHours.map((m) => ({ label: m.month.slice(2), value: m.hours }))} width={560} label={t('profile.perMonthLabel')} />
        </div>
        <Demographics p={data} onSaved={reload} />
        <div className="card">
          <h3>{t('profile.genres')}</h3>
          {data.topGenres.length ? <HBars data={data.topGenres.map((g) => ({ label: g.genre, value: g.share }))} label={t('profile.genresLabel')} /> : <p className="muted">{t('profile.noMatches')}</p>}
        </div>
        <div className="card">
          <h3>{t('profile.sound')}</h3>
          <p className="muted small">{t('profile.soundHint')}</p>
          {data.audioProfile.length ? <HBars data={data.audioProfile.map((a) => ({ label: a.feature, value: a.value, compare: a.catalogue }))} max={1} format={(v) => v.toFixed(2)} label={t('profile.soundLabel')} /> : <p className="muted">{t('profile.soundEmpty')}</p>}
        </div>
        <div className="card">
          <h3>{t('profile.artists')}</h3>
          <ol className="compact">{data.topArtists.map((a) => <li key={a.artist}>{a.artist} <span className="muted">({num(a.plays)})</span></li>)}</ol>
        </div>
      </div>
    </section>
  );
}

function Demographics({ p, onSaved }: { p: ProfileDetail; onSaved: () => void }) {
  const [age, setAge] = useState(p.age?.toString() ?? '');
  const [gender, setGender] = useState(p.gender ?? '');
  const [country, setCountry] = useState(p.country ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  return (
    <form
      className="card"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          await call('profile:update', { profileId: p.id, age: age ? Number(age) : null, gender: gender || null, country: country || null });
          setSaved(true);
          onSaved();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h3>{t('profile.about')} <span className="muted small">{t('profile.optional')}</span></h3>
      <p className="muted small">{t('profile.aboutHint')}</p>
      <label>{t('profile.age')}<input type="number" min={5} max={120} value={age} onChange={(e) => setAge(e.target.value)} /></label>
      <label>
        {t('profile.gender')}
        <select value={gender} onChange={(e) => setGender(e.target.value)}>
          <option value="">{t('profile.gender.none')}</option>
          <option value="female">{t('profile.gender.female')}</option>
          <option value="male">{t('profile.gender.male')}</option>
          <option value="non-binary">{t('profile.gender.nonBinary')}</option>
        </select>
      </label>
      <label>{t('profile.country')}<input value={country} maxLength={2} pattern="[A-Za-z]{2}" onChange={(e) => setCountry(e.target.value.toUpperCase())} /></label>
      <button type="submit">{t('profile.save')}</button>
      {saved && <span className="ok"> {t('profile.saved')}</span>}
      {error && <ErrorBox message={error} />}
    </form>
  );
}
