// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import type { Row } from './rows.js';
import type { ActiveConversation } from './view-types.js';

export interface ChatPaneProps {
  readonly conversation: ActiveConversation | undefined;
  /** `paneRows(conversation.lines, width)`, computed once by the parent (it scrolls by them). */
  readonly rows: readonly Row[];
  readonly width: number;
  readonly height: number;
  /** Rows scrolled up from the newest (0 = at the bottom). */
  readonly scroll: number;
}

/** How many message rows the pane shows (header and typing line excluded). */
export function paneBodyHeight(height: number): number {
  return Math.max(2, height - 2);
}

/** The largest useful scroll: the oldest loaded row shown under the "top" line. */
export function maxScroll(rowCount: number, height: number): number {
  return Math.max(0, rowCount - (paneBodyHeight(height) - 1));
}

function RowView({ row }: { readonly row: Row }) {
  return (
    <Text wrap="truncate-end">
      {row.length === 0 ? ' ' : null}
      {row.map((s, i) => (
        <Text
          key={i}
          {...(s.color === undefined ? {} : { color: s.color })}
          dimColor={s.dim === true}
          bold={s.bold === true}
          italic={s.italic === true}
        >
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

/**
 * The open conversation: a title line, the newest rows that fit (or older ones, scrolled), and
 * the typing line. At the top of what is loaded it says whether PageUp can load more.
 */
export function ChatPane({ conversation, rows, width, height, scroll }: ChatPaneProps) {
  if (conversation === undefined) {
    return (
      <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
        <Text dimColor>No conversation open.</Text>
        <Text dimColor>
          Tab picks one; /dm &lt;user&gt; or /join &lt;room&gt; starts one; /help lists commands.
        </Text>
      </Box>
    );
  }
  const body = paneBodyHeight(height);
  const end = Math.max(0, rows.length - Math.min(scroll, maxScroll(rows.length, height)));
  // The "top" line takes a row, so it shows only when everything up to the oldest row fits.
  const atTop = end <= body - 1;
  const start = atTop ? 0 : end - body;
  const top = atTop
    ? conversation.loading
      ? '— loading older messages… —'
      : conversation.hasMore
        ? '— PageUp loads older messages —'
        : rows.length > 0
          ? '— beginning of the conversation —'
          : '— no messages yet —'
    : undefined;
  const visible = rows.slice(start, end);
  const filler = Math.max(0, body - visible.length - (top === undefined ? 0 : 1));
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Text wrap="truncate-end">
        <Text bold>{conversation.title}</Text>
        <Text dimColor>
          {'  '}
          {conversation.subtitle}
          {scroll > 0 ? `  ↑ scrolled (${String(scroll)} rows; PageDown returns)` : ''}
        </Text>
      </Text>
      {Array.from({ length: filler }, (_, i) => (
        <Text key={`f${String(i)}`}> </Text>
      ))}
      {top === undefined ? null : (
        <Text dimColor wrap="truncate-end">
          {top}
        </Text>
      )}
      {visible.map((row, i) => (
        <RowView key={String(start + i)} row={row} />
      ))}
      <Text color="magenta" italic wrap="truncate-end">
        {conversation.typing ?? ' '}
      </Text>
    </Box>
  );
}
