import { clock } from '../message-view.js';
import { wrapSpans, type Row, type Span } from './rows.js';
import type { ChatLine } from './view-types.js';

/** One chat line as styled spans: `#seq HH:MM sender: text (edited) ✓✓`. */
export function lineSpans(line: ChatLine): Span[] {
  const seq = line.seq === undefined ? '' : `#${String(line.seq)} `;
  const head: Span[] = [{ text: `${seq}${clock(line.time)} `, dim: true }];
  switch (line.kind) {
    case 'system':
      return [...head, { text: `* ${line.text}`, dim: true, italic: true }];
    case 'pending':
      return [
        ...head,
        { text: `${line.sender}: `, color: 'cyan', bold: true },
        { text: line.text, dim: true },
        { text: ' …', dim: true },
      ];
    case 'failed':
      return [
        ...head,
        { text: `${line.sender}: `, color: 'cyan', bold: true },
        { text: line.text, color: 'red' },
      ];
    case 'message': {
      const spans: Span[] = [
        ...head,
        { text: `${line.sender}: `, color: line.mine ? 'cyan' : 'green', bold: true },
        line.recalled
          ? { text: line.text, dim: true, italic: true }
          : line.special === undefined
            ? { text: line.text }
            : { text: line.text, color: line.special === 'red-packet' ? 'red' : 'yellow' },
      ];
      if (line.edited && !line.recalled) spans.push({ text: ' (edited)', dim: true });
      if (line.mine && !line.recalled)
        spans.push(line.read ? { text: ' ✓✓', color: 'green' } : { text: ' ✓', dim: true });
      return spans;
    }
  }
}

/** Every row of a conversation at this width (the pane shows a window of them). */
export function paneRows(lines: readonly ChatLine[], width: number): Row[] {
  return lines.flatMap((line) => wrapSpans(lineSpans(line), width));
}
