import { useState } from 'react';
import type { AppInfo } from '../../../shared/ipc';
import { call } from '../api';
import { ErrorBox } from '../components/ui';

export function SettingsPage({ info, onChanged }: { info: AppInfo | null; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  if (!info) return null;
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div className="card">
        <dl className="kv">
          <dt>Data folder</dt><dd><code>{info.dataDir}</code></dd>
          <dt>Log file</dt><dd><code>{info.logFile}</code></dd>
          <dt>Version</dt><dd>{info.version}</dd>
          <dt>Compute backend</dt><dd>{info.backend ?? 'not started yet'}</dd>
        </dl>
        <label>
          Log level
          <select
            value={info.logLevel}
            onChange={async (e) => {
              try {
                await call('settings:set', { logLevel: e.target.value });
                onChanged();
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            {['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].map((l) => <option key={l}>{l}</option>)}
          </select>
        </label>
        <p className="muted small">Your library, models and logs stay in the data folder; delete it to start over. Set <code>OMR_DATA_DIR</code> to use another folder.</p>
        {error && <ErrorBox message={error} />}
      </div>
    </section>
  );
}
