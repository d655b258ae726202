import { useInput, type Key } from 'ink';
import { useReducer, useRef } from 'react';

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

const CONTROL: Readonly<Record<string, Partial<Key>>> = {
  '\r': { return: true },
  '\n': { return: true },
  '\t': { tab: true },
  '\x7f': { delete: true },
  '\b': { backspace: true },
};

/**
 * ink hands a chunk of plain bytes to useInput as one string, so text typed quickly (or sent by
 * tmux) followed by Enter arrives as "hello\r". This splits such a chunk back into key presses:
 * text runs, and Enter / Tab / Backspace as their keys.
 */
export function splitInput(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || !/[\r\n\t\x7f\b]/.test(input)) return [[input, key]];
  const out: [string, Key][] = [];
  for (const part of input.split(/([\r\n\t\x7f\b])/)) {
    if (part === '') continue;
    const control = CONTROL[part];
    out.push(control === undefined ? [part, NO_KEY] : ['', { ...NO_KEY, ...control }]);
  }
  return out;
}

/** useInput with chunks split into key presses (see splitInput). */
export function useKeys(handler: (input: string, key: Key) => void, isActive = true): void {
  const ref = useRef(handler);
  ref.current = handler;
  useInput(
    (input, key) => {
      for (const [i, k] of splitInput(input, key)) ref.current(i, k);
    },
    { isActive },
  );
}

/**
 * State kept in a ref, so several key presses handled in one tick each see the previous one's
 * result (React state would still hold the old value). Read `state.current`; `update` also
 * re-renders.
 */
export function useMutable<T>(
  initial: () => T,
): [{ readonly current: T }, (change: (current: T) => T) => void] {
  const ref = useRef<{ current: T } | undefined>(undefined);
  ref.current ??= { current: initial() };
  const box = ref.current;
  const [, render] = useReducer((n: number) => n + 1, 0);
  return [
    box,
    (change) => {
      box.current = change(box.current);
      render();
    },
  ];
}
