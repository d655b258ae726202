// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import { clock } from '../message-view.js';
import { formatCents } from '../money.js';
import { entryLine, type WalletView } from '../wallet-view.js';
import { SLASH_HELP } from './slash.js';
import type { Overlay } from './view-types.js';

const KEYS: readonly (readonly [string, string])[] = [
  ['Tab / Shift+Tab', 'next / previous conversation'],
  ['PageUp / PageDown', 'scroll (PageUp at the top loads older messages)'],
  ['Enter', 'send'],
  ['Esc', 'close this panel'],
  ['Ctrl+C', 'quit'],
  [':smile: …', 'emoji shortcodes become emoji as you type'],
];

export interface PanelProps {
  readonly overlay: Overlay;
  readonly width: number;
  readonly height: number;
}

function WalletPanel({
  wallet,
  width,
  height,
}: {
  wallet: WalletView | undefined;
  width: number;
  height: number;
}) {
  const entries = (wallet?.entries ?? []).slice(0, Math.max(1, height - 3));
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Text bold wrap="truncate-end">
        Wallet
        <Text dimColor>{wallet === undefined ? '  loading…' : '  balance '}</Text>
        {wallet === undefined ? '' : <Text color="green">{formatCents(wallet.balance)}</Text>}
      </Text>
      {wallet !== undefined && wallet.entries.length === 0 ? <Text dimColor>no entries yet</Text> : null}
      {entries.map((e) => (
        <Text key={e.id} wrap="truncate-end" {...(e.delta < 0 ? { color: 'red' } : {})}>
          {entryLine(e)}
        </Text>
      ))}
      <Text dimColor>Esc closes this panel</Text>
    </Box>
  );
}

/** A panel over the chat pane: the help, search results or the wallet. Esc closes it. */
export function Panel({ overlay, width, height }: PanelProps) {
  const body = Math.max(1, height - 2);
  if (overlay.kind === 'wallet') return <WalletPanel wallet={overlay.wallet} width={width} height={height} />;
  if (overlay.kind === 'help') {
    const rows = [...SLASH_HELP, ['', ''] as const, ...KEYS].slice(0, body);
    const col = Math.max(...rows.map(([k]) => k.length)) + 2;
    return (
      <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
        <Text bold>Help</Text>
        {rows.map(([k, v], i) => (
          <Text key={String(i)} wrap="truncate-end">
            <Text color="cyan">{k.padEnd(col)}</Text>
            {v}
          </Text>
        ))}
        <Text dimColor>Esc closes this panel</Text>
      </Box>
    );
  }
  const hits = overlay.hits;
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Text bold wrap="truncate-end">
        Search: {overlay.query}
        <Text dimColor>{hits === undefined ? '  searching…' : `  ${String(hits.length)} found`}</Text>
      </Text>
      {(hits ?? []).slice(0, body).map((h) => (
        <Text key={h.id} wrap="truncate-end">
          <Text dimColor>{clock(h.time, true)} </Text>
          <Text color="cyan">{h.where}</Text>
          <Text dimColor> · </Text>
          <Text color="green">{h.sender}: </Text>
          {h.text}
        </Text>
      ))}
      <Text dimColor>Esc closes this panel</Text>
    </Box>
  );
}
