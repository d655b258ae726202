import { useEffect, useRef, useState } from 'react';
import { EMOJI_GROUPS } from '../emoji.js';

/** A small popover of emoji in tabs; picking one hands it to `onPick`. Escape or a click outside closes it. */
export function EmojiPicker(props: {
  onPick: (emoji: string) => void;
  onClose: () => void;
}): React.JSX.Element {
  const { onClose } = props;
  const [tab, setTab] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    const onDown = (e: PointerEvent): void => {
      const target = e.target;
      // The anchor (the picker's parent, with the toggle button) handles its own clicks.
      const area = ref.current?.parentElement ?? ref.current;
      if (area != null && target instanceof Node && !area.contains(target)) onClose();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onDown);
    };
  }, [onClose]);
  const group = EMOJI_GROUPS[tab] ?? EMOJI_GROUPS[0];
  return (
    <div className="emoji-picker" ref={ref} role="dialog" aria-label="Emoji" data-testid="emoji-picker">
      <div className="emoji-tabs" role="tablist">
        {EMOJI_GROUPS.map((g, i) => (
          <button
            key={g.name}
            type="button"
            role="tab"
            aria-selected={i === tab}
            className={i === tab ? 'active' : ''}
            onClick={() => {
              setTab(i);
            }}
          >
            {g.emojis[0]?.[0]}
            <span className="sr-only">{g.name}</span>
          </button>
        ))}
      </div>
      <div className="emoji-grid">
        {group?.emojis.map(([symbol, label]) => (
          <button
            key={symbol}
            type="button"
            title={label}
            aria-label={label}
            data-testid="emoji"
            data-emoji={symbol}
            onClick={() => {
              props.onPick(symbol);
            }}
          >
            {symbol}
          </button>
        ))}
      </div>
    </div>
  );
}
