/**
 * The Electron shell: window, single-instance lock, menu, IPC wiring, security. Everything it
 * calls is plain Node code that also runs headless (scripts/) and in the browser harness.
 */
import path from 'node:path';
import { app, BrowserWindow, Menu, dialog, ipcMain, shell } from 'electron';
import { CHANNELS, type EventContract, type EventName } from '../shared/ipc';
import { dispatch } from './ipc/handlers';
import { getLogger } from './logging';
import { AppService } from './services/app-service';

const log = getLogger('main');

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
    const pickPaths = async (kind: 'history' | 'catalog') => {
      const r = await dialog.showOpenDialog(win!, {
        title: kind === 'catalog' ? 'Choose a track catalogue' : 'Choose listening exports (files, a folder or a .zip)',
        properties: ['openFile', 'openDirectory', 'multiSelections'],
        filters: kind === 'catalog' ? [{ name: 'CSV', extensions: ['csv'] }] : [{ name: 'Exports', extensions: ['json', 'jsonl', 'csv', 'zip'] }],
      });
      return r.canceled ? [] : r.filePaths;
    };
    const service = new AppService(process.env.OMR_DATA_DIR ?? app.getPath('userData'), emit, { version: app.getVersion(), openPath: (f) => shell.openPath(f), pickPaths });
    const handlers = service.handlers();
    for (const channel of CHANNELS) ipcMain.handle(channel, (_e, req) => dispatch(handlers, channel, req));

    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        { role: 'fileMenu' },
        { role: 'editMenu' },
        { role: 'viewMenu' },
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
      },
    });
    win.on('ready-to-show', () => win?.show());
    // No new windows; external links open in the browser only when the person clicks them.
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    win.webContents.on('will-navigate', (e, url) => {
      const allowed = process.env.ELECTRON_RENDERER_URL ?? 'file://';
      if (!url.startsWith(allowed)) {
        e.preventDefault();
        log.warning(`blocked navigation to ${url}`);
      }
    });
    if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
    else void win.loadFile(path.join(__dirname, '../renderer/index.html'));
    // Open the serving model while the window loads, so the first list is ready when asked for.
    setTimeout(() => void service.warmUp(), 0);
    app.on('before-quit', () => service.close());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
