import { useState } from 'react';
import type { AppInfo, Req } from '../../../shared/ipc';
import { call } from '../api';
import { ErrorBox } from '../components/ui';
import { t } from '../strings';
import { setThemeChoice, themeChoice, type ThemeChoice } from '../theme';
import { LOG_LEVEL_NAMES } from '../../../shared/config-schema';

export function SettingsPage({ info, onChanged }: { info: AppInfo | null; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [theme, setTheme] = useState<ThemeChoice>(themeChoice());
  if (!info) return null;
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">{t('page.settings')}</h2>
      <div className="card">
        <dl className="kv">
          <dt>{t('settings.dataDir')}</dt><dd><code>{info.dataDir}</code></dd>
          <dt>{t('settings.logFile')}</dt><dd><code>{info.logFile}</code></dd>
          <dt>{t('settings.version')}</dt><dd>{info.version}</dd>
          <dt>{t('settings.backend')}</dt><dd>{info.backend ?? t('settings.notStarted')}</dd>
        </dl>
        <label>
          {t('settings.theme')}
          <select value={theme} onChange={(e) => {
            const c = e.target.value as ThemeChoice;
            setTheme(c);
            setThemeChoice(c);
          }}>
            {(['system', 'light', 'dark'] as const).map((c) => <option key={c} value={c}>{t(`settings.theme.${c}`)}</option>)}
          </select>
        </label>
        <label>
          {t('settings.logLevel')}
          <select
            value={info.logLevel}
            onChange={async (e) => {
              try {
                await call('settings:set', { logLevel: e.target.value as Req<'settings:set'>['logLevel'] });
                onChanged();
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            {LOG_LEVEL_NAMES.map((l) => <option key={l}>{l}</option>)}
          </select>
        </label>
        <div className="row">
          <button type="button" className="secondary" onClick={async () => {
            try {
              const r = await call('settings:open-log', {});
              if (!r.opened) setError(null), setNote(t('settings.logAt', { path: r.path }));
            } catch (err) {
              setError((err as Error).message);
            }
          }}>{t('settings.openLog')}</button>
          <button type="button" className="secondary danger" onClick={async () => {
            if (!window.confirm(t('settings.resetConfirm'))) return;
            try {
              await call('settings:reset', { confirm: 'RESET' });
              onChanged();
              setNote(t('settings.resetDone'));
            } catch (err) {
              setError((err as Error).message);
            }
          }}>{t('settings.reset')}</button>
        </div>
        {note && <p className="muted small" role="status">{note}</p>}
        <p className="muted small">{t('settings.where')} <code>OMR_DATA_DIR</code></p>
        {error && <ErrorBox message={error} />}
      </div>
    </section>
  );
}
