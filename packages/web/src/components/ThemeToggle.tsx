import type { Theme } from '../hooks/useTheme.js';
import { Icon, type IconName } from './Icon.js';

const LABEL: Readonly<Record<Theme, string>> = { system: 'Auto', light: 'Light', dark: 'Dark' };
const ICON: Readonly<Record<Theme, IconName>> = { system: 'auto', light: 'sun', dark: 'moon' };

/** Cycles auto (the system's preference) → light → dark. */
export function ThemeToggle(props: { theme: Theme; onNext: () => void }): React.JSX.Element {
  return (
    <button
      type="button"
      className="icon theme-toggle"
      onClick={props.onNext}
      title={`Theme: ${LABEL[props.theme]} (click to change)`}
      aria-label={`Theme: ${LABEL[props.theme]}`}
      data-testid="theme-toggle"
      data-theme={props.theme}
    >
      <Icon name={ICON[props.theme]} />
    </button>
  );
}
