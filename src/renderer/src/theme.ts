/**
 * Light or dark: the system's choice (`prefers-color-scheme`, followed live) unless the person
 * chose one in Settings (kept in this window's local storage). The effective theme is written to
 * `<html data-theme>`, which the style sheet reads.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'omr.theme';

export function themeChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

const systemDark = () => typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;

export function applyTheme(choice: ThemeChoice = themeChoice()): 'light' | 'dark' {
  const theme = choice === 'system' ? (systemDark() ? 'dark' : 'light') : choice;
  document.documentElement.dataset.theme = theme;
  return theme;
}

export function setThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage refused (private mode): the choice lasts until the window closes.
  }
  applyTheme(choice);
}

/** Applies the theme now and whenever the system's changes (while the choice is "system"). */
export function followSystemTheme(): void {
  applyTheme();
  if (typeof matchMedia === 'function') matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme());
}
