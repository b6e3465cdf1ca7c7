/**
 * The Electron window's security policy as plain functions (no Electron import), so that it is
 * tested under Node and enforced by the thin shell in index.ts: which URLs the window may show,
 * which frames may call the API, which links may open in the system browser.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Help links the interface may open in the system browser — nothing else leaves the app. */
export const EXTERNAL_LINKS: readonly string[] = [
  'https://www.spotify.com/account/privacy/',
  'https://www.last.fm/settings/dataexporter',
  'https://listenbrainz.org/settings/export/',
  'https://exportify.app/',
];

export interface Origin {
  /** True in an installed app: the development server is never honoured there. */
  packaged: boolean;
  /** The electron-vite development server (development only). */
  devUrl?: string;
  /** The bundled renderer's index.html. */
  indexFile: string;
}

/** The one page the window may show: the bundled index.html, or the dev server in development. */
export function appUrl(o: Origin): string {
  if (!o.packaged && o.devUrl && /^http:\/\/(localhost|127\.0\.0\.1):\d+\/?$/.test(o.devUrl)) return o.devUrl;
  return pathToFileURL(path.resolve(o.indexFile)).href;
}

/** Navigation (and IPC) only from the app's own page: same file, or the dev server's origin. */
export function isAppUrl(url: string, o: Origin): boolean {
  let u: URL;
  let own: URL;
  try {
    u = new URL(url);
    own = new URL(appUrl(o));
  } catch {
    return false;
  }
  if (own.protocol === 'file:') return u.protocol === 'file:' && decodeURIComponent(u.pathname) === decodeURIComponent(own.pathname);
  return u.origin === own.origin;
}

export function isAllowedExternal(url: string): boolean {
  return EXTERNAL_LINKS.includes(url);
}
