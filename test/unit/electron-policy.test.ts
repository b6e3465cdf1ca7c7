/**
 * The window's security policy (src/main/security.ts), enforced by the Electron shell: navigation
 * and IPC only from the app's own page, the dev server never in a packaged app, external links
 * only from a short list. The shell itself (src/main/index.ts) is checked for wiring every rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_LINKS, appUrl, isAllowedExternal, isAppUrl } from '../../src/main/security';

const index = '/opt/app/resources/app.asar/out/renderer/index.html';

describe('Electron window policy', () => {
  it('locks navigation and IPC senders to the app’s own page', () => {
    const packaged = { packaged: true, devUrl: 'http://localhost:5173/', indexFile: index };
    expect(appUrl(packaged)).toBe('file:///opt/app/resources/app.asar/out/renderer/index.html');
    expect(isAppUrl('file:///opt/app/resources/app.asar/out/renderer/index.html', packaged)).toBe(true);
    expect(isAppUrl('file:///opt/app/resources/app.asar/out/renderer/index.html#/recommendations', packaged)).toBe(true);
    // A dropped HTML file, another file, the dev server in a packaged build, the web: all refused.
    for (const u of ['file:///home/me/Downloads/evil.html', 'file:///etc/passwd', 'http://localhost:5173/', 'https://example.com/', 'javascript:alert(1)', 'not a url']) {
      expect(isAppUrl(u, packaged), u).toBe(false);
    }
    const dev = { packaged: false, devUrl: 'http://localhost:5173/', indexFile: index };
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    // A dev URL that is not a local server is not honoured even in development.
    expect(appUrl({ packaged: false, devUrl: 'https://evil.example/', indexFile: index })).toMatch(/^file:/);
  });

  it('opens only the listed help links in the browser', () => {
    for (const l of EXTERNAL_LINKS) expect(isAllowedExternal(l)).toBe(true);
    for (const u of ['https://evil.example/', 'https://www.spotify.com/account/privacy/../../evil', 'file:///etc/passwd', 'http://listenbrainz.org/settings/export/']) {
      expect(isAllowedExternal(u), u).toBe(false);
    }
  });

  it('the shell wires every rule', () => {
    const shell = fs.readFileSync(path.join(__dirname, '../../src/main/index.ts'), 'utf8');
    for (const needle of [
      'setPermissionRequestHandler', 'setPermissionCheckHandler', 'setSpellCheckerEnabled(false)', 'spellcheck: false',
      'devTools: !app.isPackaged', "on('will-navigate'", "on('will-redirect'", 'isAllowedExternal(url)', 'e.sender !== win.webContents',
      'isAppUrl(frameUrl', "on('render-process-gone'", "process.on('uncaughtException'", 'contextIsolation: true', 'sandbox: true', 'nodeIntegration: false',
    ]) expect(shell, needle).toContain(needle);
    expect(shell).not.toMatch(/shell\.openExternal\(url\)[^;]*\n[^]*https:\\\/\\\//);
  });
});
