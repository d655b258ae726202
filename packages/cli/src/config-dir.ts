import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where `parley` keeps its session and client state:
 * - `PARLEY_CONFIG_DIR` when set (tests, portable installs);
 * - Windows: `%APPDATA%\parley`;
 * - elsewhere (Linux, macOS, BSD): `$XDG_CONFIG_HOME/parley`, else `~/.config/parley`.
 *   macOS deliberately uses ~/.config too: terminal tools there conventionally do.
 */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['PARLEY_CONFIG_DIR'];
  if (override !== undefined && override !== '') return override;
  if (platform === 'win32') {
    const appData = env['APPDATA'];
    return join(
      appData !== undefined && appData !== '' ? appData : join(home, 'AppData', 'Roaming'),
      'parley',
    );
  }
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.config'), 'parley');
}
