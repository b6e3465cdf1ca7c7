import { formatDate } from '../strings';
import { useState } from 'react';
import type { ProfileDetail } from '../../../shared/ipc';
import { call } from '../api';
import { BarChart, HBars } from '../components/charts';
import { Empty, ErrorBox, Loading, num, useAsync } from '../components/ui';

export function ProfilePage({ profileId }: { profileId: number | null }) {
  const { data, error, loading, reload } = useAsync(() => (profileId ? call('profile:get', { profileId }) : Promise.resolve(null)), [profileId]);
  if (!profileId) return <Empty title="No profile yet">Import a listening export to create one.</Empty>;
  if (loading && !data) return <Loading />;
  if (error) return <ErrorBox message={error} onRetry={reload} />;
  if (!data) return null;
  return (
    <section aria-labelledby="profile-title">
      <h2 id="profile-title">{data.name}</h2>
      <div className="stats-row">
        <div className="stat"><span className="stat-value">{num(data.events)}</span><span className="stat-label">listens</span></div>
        <div className="stat"><span className="stat-value">{num(Math.round(data.hours))}</span><span className="stat-label">hours</span></div>
        <div className="stat"><span className="stat-value">{data.first ? formatDate(data.first) : '—'}</span><span className="stat-label">first listen</span></div>
        <div className="stat"><span className="stat-value">{data.last ? formatDate(data.last) : '—'}</span><span className="stat-label">last listen</span></div>
      </div>
      <div className="cards">
        <div className="card wide">
          <h3>Hours per month</h3>
          <BarChart data={data.monthlyHours.map((m) => ({ label: m.month.slice(2), value: m.hours }))} width={560} label="Listening hours per month" />
        </div>
        <Demographics p={data} onSaved={reload} />
        <div className="card">
          <h3>Top genres</h3>
          {data.topGenres.length ? <HBars data={data.topGenres.map((g) => ({ label: g.genre, value: g.share }))} label="Top genres by listening time" /> : <p className="muted">No listens matched to catalogue tracks yet.</p>}
        </div>
        <div className="card">
          <h3>Your sound</h3>
          <p className="muted small">Your average audio features; the tick is the catalogue's average.</p>
          {data.audioProfile.length ? <HBars data={data.audioProfile.map((a) => ({ label: a.feature, value: a.value, compare: a.catalogue }))} max={1} format={(v) => v.toFixed(2)} label="Audio-feature profile" /> : <p className="muted">Add a catalogue to see it.</p>}
        </div>
        <div className="card">
          <h3>Most played artists</h3>
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
      <h3>About you <span className="muted small">(optional)</span></h3>
      <p className="muted small">Used only by the model on this computer; leave blank if you prefer.</p>
      <label>Age<input type="number" min={5} max={120} value={age} onChange={(e) => setAge(e.target.value)} /></label>
      <label>
        Gender
        <select value={gender} onChange={(e) => setGender(e.target.value)}>
          <option value="">Prefer not to say</option>
          <option value="female">Female</option>
          <option value="male">Male</option>
          <option value="non-binary">Non-binary</option>
        </select>
      </label>
      <label>Country (2-letter code)<input value={country} maxLength={2} pattern="[A-Za-z]{2}" onChange={(e) => setCountry(e.target.value.toUpperCase())} /></label>
      <button type="submit">Save</button>
      {saved && <span className="ok"> Saved.</span>}
      {error && <ErrorBox message={error} />}
    </form>
  );
}
