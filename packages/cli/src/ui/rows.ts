import { graphemeWidth, graphemes, textWidth } from './text-width.js';

/** A styled piece of a row. */
export interface Span {
  readonly text: string;
  readonly color?: string;
  readonly dim?: boolean;
  readonly bold?: boolean;
  readonly italic?: boolean;
}

export type Row = readonly Span[];

/**
 * Lays styled text out in rows of `width` cells: explicit line breaks are kept, long lines break
 * between words (mid-word only when a word is longer than a row), and continuation rows are
 * indented by `indent` cells. The chat pane scrolls by these rows.
 */
export function wrapSpans(spans: readonly Span[], width: number, indent = 2): Row[] {
  const w = Math.max(4, width);
  const pad = ' '.repeat(Math.max(0, Math.min(indent, w - 2)));
  const rows: Span[][] = [];
  let row: Span[] = [];
  let used = 0;
  const append = (span: Span, text: string, cells: number) => {
    const last = row[row.length - 1];
    if (last !== undefined && sameStyle(last, span))
      row[row.length - 1] = { ...last, text: last.text + text };
    else row.push({ ...span, text });
    used += cells;
  };
  const breakRow = () => {
    rows.push(row);
    row = pad === '' ? [] : [{ text: pad }];
    used = pad.length;
  };
  for (const span of spans) {
    // Words, runs of spaces and line breaks, in order.
    for (const token of span.text.match(/\n|[^\S\n]+|[^\s]+/g) ?? []) {
      if (token === '\n') {
        breakRow();
        continue;
      }
      const cells = textWidth(token);
      if (/^\s/.test(token)) {
        // Spaces that do not fit end the row; they never start a continuation row.
        if (used + cells > w) breakRow();
        else append(span, token, cells);
        continue;
      }
      if (used + cells > w && used > pad.length && cells <= w - pad.length) breakRow();
      if (used + cells <= w) {
        append(span, token, cells);
        continue;
      }
      for (const g of graphemes(token)) {
        const gw = graphemeWidth(g);
        if (used + gw > w) breakRow();
        append(span, g, gw);
      }
    }
  }
  rows.push(row);
  return rows;
}

function sameStyle(a: Span, b: Span): boolean {
  return a.color === b.color && a.dim === b.dim && a.bold === b.bold && a.italic === b.italic;
}
