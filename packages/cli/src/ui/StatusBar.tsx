// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import { ConnectionState } from '@parley/sdk';

const STATES: Readonly<Record<ConnectionState, { readonly label: string; readonly color: string }>> = {
  [ConnectionState.IDLE]: { label: '○ signed out', color: 'gray' },
  [ConnectionState.CONNECTING]: { label: '◌ connecting…', color: 'yellow' },
  [ConnectionState.ONLINE]: { label: '● online', color: 'green' },
  [ConnectionState.RECONNECTING]: { label: '◌ reconnecting…', color: 'yellow' },
  [ConnectionState.KICKED]: { label: '✕ signed in elsewhere', color: 'red' },
  [ConnectionState.UNAUTHENTICATED]: { label: '✕ session ended', color: 'red' },
  [ConnectionState.CLOSED]: { label: '○ closed', color: 'gray' },
};

export interface StatusBarProps {
  readonly username: string;
  readonly server: string;
  /** With a gateway: the node the connection went to. */
  readonly node?: string | undefined;
  readonly state: ConnectionState;
  readonly width: number;
}

/** Top line: who, where (and which cluster node), and the connection state (the SDK's `state` events). */
export function StatusBar({ username, server, node, state, width }: StatusBarProps) {
  const s = STATES[state];
  return (
    <Box width={width} justifyContent="space-between">
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          parley
        </Text>
        <Text dimColor>
          {' · '}
          {username !== '' ? `${username} @ ` : ''}
          {server}
        </Text>
        {node === undefined ? null : <Text color="cyan"> · node {node}</Text>}
      </Text>
      <Text color={s.color}>{s.label} </Text>
    </Box>
  );
}
