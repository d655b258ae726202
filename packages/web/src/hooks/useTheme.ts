import { useCallback, useEffect, useState } from 'react';

/** `system` follows prefers-color-scheme; the others override it. */
export type Theme = 'system' | 'light' | 'dark';

const THEME_KEY = 'parley.theme';
const ORDER: readonly Theme[] = ['system', 'light', 'dark'];

export function storedTheme(): Theme {
  try {
    const v = localStorage.getItem(THEME_KEY);
    if (v === 'light' || v === 'dark') return v;
  } catch {
    // storage unavailable: follow the system
  }
  return 'system';
}

/** Applies the theme as `data-theme` on <html> (styles.css keys its colours on it). */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

export function useTheme(): { theme: Theme; next: () => void } {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => {
    applyTheme(theme);
    try {
      if (theme === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, theme);
    } catch {
      // not persisted; still applied
    }
  }, [theme]);
  const next = useCallback(() => {
    setTheme((t) => ORDER[(ORDER.indexOf(t) + 1) % ORDER.length] ?? 'system');
  }, []);
  return { theme, next };
}
