import { useEffect, useState } from 'react';
import type { LibraryStats } from '../../shared/ipc';

export function App() {
  const [stats, setStats] = useState<LibraryStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void window.api.invoke('library:stats', {}).then((r) => (r.ok ? setStats(r.value) : setError(r.error.message)));
  }, []);
  return (
    <main>
      <h1>Offline Music Recommender</h1>
      {error && <p role="alert">{error}</p>}
      {!stats && !error && <p>Loading your library…</p>}
      {stats && (
        <p>
          {stats.tracks.toLocaleString()} tracks, {stats.events.toLocaleString()} listens from {stats.profiles.length} people.
        </p>
      )}
    </main>
  );
}
