/**
 * The Electron shell: window, single-instance lock, menu, IPC wiring, security. Everything it
 * calls is plain Node code that also runs headless (scripts/) and in the browser harness.
 */
import path from 'node:path';
import { app, BrowserWindow, Menu, dialog, ipcMain, session, shell } from 'electron';
import { CHANNELS, type EventContract, type EventName } from '../shared/ipc';
import { dispatch } from './ipc/handlers';
import { appUrl, isAllowedExternal, isAppUrl } from './security';
import { getLogger } from './logging';
import { AppService } from './services/app-service';

const log = getLogger('main');

// A failure anywhere is logged and the app goes on; nothing is left half-written (every write is a transaction or an atomic rename).
process.on('uncaughtException', (e) => log.error(`uncaught: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.whenReady().then(() => {
    const emit = <E extends EventName>(event: E, payload: EventContract[E]) => win?.webContents.send(event, payload);
    // Paths reach the importer only through this dialog, opened by the main process.
    const pickPaths = async (kind: 'history' | 'catalog' | 'community') => {
      const r = await dialog.showOpenDialog(win!, {
        title: kind === 'catalog' ? 'Choose a track catalogue' : kind === 'community' ? 'Choose community listening data (MPD slices, a HetRec Last.fm folder, a playlist CSV, Last.fm 1K/360K or ListenBrainz listens)' : 'Choose listening exports (files, a folder or a .zip)',
        properties: kind === 'community' ? ['openFile', 'openDirectory'] : ['openFile', 'openDirectory', 'multiSelections'],
        filters: kind === 'catalog' ? [{ name: 'CSV', extensions: ['csv'] }] : kind === 'community' ? [{ name: 'Community data', extensions: ['json', 'dat', 'csv', 'tsv', 'listens', 'jsonl'] }] : [{ name: 'Exports', extensions: ['json', 'jsonl', 'csv', 'zip'] }],
      });
      return r.canceled ? [] : r.filePaths;
    };
    let service: AppService;
    try {
      service = new AppService(process.env.OMR_DATA_DIR ?? app.getPath('userData'), emit, { version: app.getVersion(), openPath: (f) => shell.openPath(f), pickPaths });
    } catch (e) {
      // A library this version cannot open (a newer version's schema, a damaged file): say so and stop,
      // rather than leave a window with nothing behind it.
      log.error(`could not open the library: ${(e as Error).message}`);
      dialog.showErrorBox('The library could not be opened', (e as Error).message);
      app.quit();
      return;
    }
    const handlers = service.handlers();
    const origin = { packaged: app.isPackaged, devUrl: process.env.ELECTRON_RENDERER_URL, indexFile: path.join(__dirname, '../renderer/index.html') };
    // Every message is checked for its sender: only the app's own page in its own window.
    for (const channel of CHANNELS) {
      ipcMain.handle(channel, (e, req) => {
        const frameUrl = e.senderFrame?.url ?? '';
        if (!win || e.sender !== win.webContents || !isAppUrl(frameUrl, origin)) {
          log.warning(`refused ${channel} from an untrusted sender`);
          return { ok: false, error: { code: 'invalid_request', message: `${channel}: not allowed from this page` } };
        }
        return dispatch(handlers, channel, req);
      });
    }
    // No permission (camera, microphone, notifications, geolocation…) is ever granted.
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    // No dictionary downloads: nothing leaves this computer.
    session.defaultSession.setSpellCheckerEnabled(false);

    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        { role: 'fileMenu' },
        { role: 'editMenu' },
        // Reload and DevTools only while developing.
        ...(app.isPackaged ? [] : [{ role: 'viewMenu' as const }]),
        { label: 'Help', submenu: [{ label: 'Open the log file', click: () => void shell.openPath(service.paths.logFile) }] },
      ]),
    );

    win = new BrowserWindow({
      width: 1280,
      height: 840,
      show: false,
      title: 'Offline Music Recommender',
      webPreferences: {
        preload: path.join(__dirname, '../preload/index.js'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
        devTools: !app.isPackaged,
      },
    });
    win.on('ready-to-show', () => win?.show());
    // No new windows; the help links of a short list open in the browser, on a click.
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternal(url)) void shell.openExternal(url);
      else log.warning('blocked a new window');
      return { action: 'deny' };
    });
    const guard = (e: { preventDefault(): void }, url: string) => {
      if (!isAppUrl(url, origin)) {
        e.preventDefault();
        log.warning('blocked navigation away from the app');
      }
    };
    win.webContents.on('will-navigate', guard);
    win.webContents.on('will-redirect', guard);
    win.webContents.on('will-attach-webview', (e) => e.preventDefault());
    win.webContents.on('render-process-gone', (_e, details) => {
      log.error(`the window's renderer stopped (${details.reason}); reloading it`);
      if (details.reason !== 'clean-exit') void win?.loadURL(appUrl(origin));
    });
    void win.loadURL(appUrl(origin));
    // Open the serving model while the window loads, so the first list is ready when asked for.
    setTimeout(() => void service.warmUp(), 0);
    app.on('before-quit', () => service.close());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
