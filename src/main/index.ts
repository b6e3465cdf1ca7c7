/**
 * The Electron shell: window, single-instance lock, IPC wiring. Everything it calls is plain
 * Node code that also runs headless (scripts/) and in the browser harness.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, shell } from 'electron';
import { CHANNELS, type EventContract, type EventName } from '../shared/ipc';
import { openLibrary } from './db';
import { createHandlers, dispatch } from './ipc/handlers';
import { configureLogging, getLogger } from './logging';
import { dataPaths } from './paths';

const paths = dataPaths(process.env.OMR_DATA_DIR ?? path.join(app.getPath('userData')));
configureLogging({ level: 'INFO', file: paths.logFile });
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
    const lib = openLibrary(paths.db);
    const emit = <E extends EventName>(event: E, payload: EventContract[E]) => win?.webContents.send(event, payload);
    const handlers = createHandlers(lib, emit);
    for (const channel of CHANNELS) ipcMain.handle(channel, (_e, req) => dispatch(handlers, channel, req));

    win = new BrowserWindow({
      width: 1280,
      height: 820,
      show: false,
      title: 'Offline Music Recommender',
      webPreferences: {
        preload: path.join(__dirname, '../preload/index.js'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      },
    });
    win.on('ready-to-show', () => win?.show());
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (e, url) => {
      if (!url.startsWith('file://') && !url.startsWith(process.env.ELECTRON_RENDERER_URL ?? 'file://')) {
        e.preventDefault();
        log.warning(`blocked navigation to ${url}`);
      }
    });
    if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
    else void win.loadFile(path.join(__dirname, '../renderer/index.html'));
    app.on('before-quit', () => lib.close());
    void shell; // external links are opened only on user action (Settings page)
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
