// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Text } from 'ink';
import type { Notice } from './view-types.js';

const COLORS = { info: 'blue', error: 'red', message: 'yellow' } as const;

/** The bottom line: the last notice (errors, new-message alerts), or the key hints. */
export function NoticeLine({
  notice,
  width,
}: {
  readonly notice: Notice | undefined;
  readonly width: number;
}) {
  if (notice === undefined) {
    return (
      <Text dimColor wrap="truncate-end">
        {'Tab: next chat · PgUp/PgDn: scroll · /help · Ctrl+C: quit'.slice(0, width)}
      </Text>
    );
  }
  return (
    <Text color={COLORS[notice.tone]} wrap="truncate-end">
      {notice.text}
    </Text>
  );
}
