// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import { truncate } from './text-width.js';
import type { ConversationItem } from './view-types.js';

export interface ConversationListProps {
  readonly items: readonly ConversationItem[];
  readonly activeKey: string | undefined;
  readonly width: number;
  readonly height: number;
}

function presence(item: ConversationItem) {
  if (item.online === undefined) return <Text> </Text>;
  return item.online ? <Text color="green">●</Text> : <Text color="gray">○</Text>;
}

/**
 * The conversation list: presence dot (direct chats), name, typing mark and unread count. When
 * it is longer than the pane, the window follows the open conversation.
 */
export function ConversationList({ items, activeKey, width, height }: ConversationListProps) {
  const rows = Math.max(1, height - 1);
  const index = Math.max(
    0,
    items.findIndex((i) => i.key === activeKey),
  );
  const start = Math.min(Math.max(0, index - rows + 1), Math.max(0, items.length - rows));
  const shown = items.slice(start, start + rows);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold underline wrap="truncate-end">
        Conversations
      </Text>
      {items.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          none yet: /dm or /join
        </Text>
      ) : null}
      {shown.map((item) => {
        const active = item.key === activeKey;
        const badge = item.unread > 0 ? ` ${item.unread > 999 ? '999+' : String(item.unread)}` : '';
        const mark = item.typing ? ' ✎' : '';
        const nameWidth = Math.max(1, width - 4 - badge.length - mark.length);
        return (
          <Box key={item.key}>
            <Text color="cyan">{active ? '›' : ' '}</Text>
            {presence(item)}
            <Text> </Text>
            <Text bold={active || item.unread > 0} inverse={active} dimColor={item.muted && !active}>
              {truncate(item.title, nameWidth)}
            </Text>
            <Text color="magenta">{mark}</Text>
            <Text color="yellow" bold>
              {badge}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
