import { expandAtCursor } from '../emoji.js';
import { graphemes } from './text-width.js';

/** The input line: its text and the cursor (a UTF-16 index on a grapheme boundary). */
export interface InputState {
  readonly value: string;
  readonly cursor: number;
}

export const EMPTY_INPUT: InputState = { value: '', cursor: 0 };

/** The keys the editor cares about (a subset of ink's Key). */
export interface EditKey {
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

function prevBoundary(value: string, cursor: number): number {
  let pos = 0;
  for (const g of graphemes(value.slice(0, cursor))) {
    if (pos + g.length >= cursor) return pos;
    pos += g.length;
  }
  return 0;
}

function nextBoundary(value: string, cursor: number): number {
  const first = graphemes(value.slice(cursor))[0];
  return first === undefined ? cursor : cursor + first.length;
}

/**
 * One key press applied to the input line. Backspace and Delete both erase to the left (most
 * terminals send the same byte for Backspace that ink reports as delete); Ctrl+D erases to the
 * right. Typing the closing `:` of a known shortcode turns it into its emoji.
 */
export function editInput(state: InputState, input: string, key: EditKey, emoji = true): InputState {
  const { value, cursor } = state;
  if (key.backspace === true || key.delete === true) {
    if (key.meta === true) return deleteWordBefore(state);
    const start = prevBoundary(value, cursor);
    return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
  }
  if (key.leftArrow === true) return { value, cursor: prevBoundary(value, cursor) };
  if (key.rightArrow === true) return { value, cursor: nextBoundary(value, cursor) };
  if (key.home === true) return { value, cursor: 0 };
  if (key.end === true) return { value, cursor: value.length };
  if (key.ctrl === true) {
    switch (input) {
      case 'a':
        return { value, cursor: 0 };
      case 'e':
        return { value, cursor: value.length };
      case 'b':
        return { value, cursor: prevBoundary(value, cursor) };
      case 'f':
        return { value, cursor: nextBoundary(value, cursor) };
      case 'd':
        return { value: value.slice(0, cursor) + value.slice(nextBoundary(value, cursor)), cursor };
      case 'u':
        return { value: value.slice(cursor), cursor: 0 };
      case 'k':
        return { value: value.slice(0, cursor), cursor };
      case 'w':
        return deleteWordBefore(state);
      default:
        return state;
    }
  }
  if (key.meta === true || input === '') return state;
  // A paste may carry line breaks and tabs: the input line holds one line.
  // eslint-disable-next-line no-control-regex
  const text = input.replace(/\r\n|\r|\n|\t/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
  if (text === '') return state;
  const next = { value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length };
  return emoji && text.endsWith(':') ? expandAtCursor(next.value, next.cursor) : next;
}

function deleteWordBefore({ value, cursor }: InputState): InputState {
  const before = value.slice(0, cursor).replace(/\S+\s*$/, '');
  return { value: before + value.slice(cursor), cursor: before.length };
}
