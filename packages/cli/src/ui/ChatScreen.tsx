// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import { useMemo, useSyncExternalStore } from 'react';
import type { HttpApi } from '../http-api.js';
import { runCommand } from './chat-actions.js';
import type { ChatModel } from './chat-model.js';
import { ChatPane, maxScroll, paneBodyHeight } from './ChatPane.js';
import { ConversationList } from './ConversationList.js';
import { EMPTY_INPUT, editInput, type InputState } from './input-editor.js';
import { InputLine } from './InputLine.js';
import { NoticeLine } from './NoticeLine.js';
import { paneRows } from './pane-rows.js';
import { Panel } from './Panel.js';
import { parseInput } from './slash.js';
import { StatusBar } from './StatusBar.js';
import { useKeys, useMutable } from './use-keys.js';

export interface ChatScreenProps {
  readonly model: ChatModel;
  readonly http: () => HttpApi;
  readonly onQuit: () => void;
  readonly width: number;
  readonly height: number;
}

interface UiState {
  readonly input: InputState;
  /** Rows scrolled up in `scrollKey`'s conversation. */
  readonly scroll: number;
  readonly scrollKey: string | undefined;
}

/** The whole chat screen: status line, list | pane, input line, notice line. */
export function ChatScreen({ model, http, onQuit, width, height }: ChatScreenProps) {
  const snap = useSyncExternalStore(model.subscribe, model.getSnapshot);
  const [ui, update] = useMutable<UiState>(() => ({ input: EMPTY_INPUT, scroll: 0, scrollKey: undefined }));
  const listWidth = Math.min(28, Math.max(16, Math.floor(width * 0.25)));
  const paneWidth = Math.max(20, width - listWidth - 1);
  const mainHeight = Math.max(4, height - 3);
  const lines = snap.active?.lines;
  const rows = useMemo(() => paneRows(lines ?? [], paneWidth - 1), [lines, paneWidth]);
  const scroll =
    ui.current.scrollKey === snap.activeKey
      ? Math.min(ui.current.scroll, maxScroll(rows.length, mainHeight))
      : 0;

  const scrollTo = (value: number) => {
    const key = model.getSnapshot().activeKey;
    update((s) => ({ ...s, scroll: value, scrollKey: key }));
    model.setScrolledUp(value > 0);
  };

  useKeys((input, key) => {
    const current = model.getSnapshot();
    if (key.escape) {
      if (current.overlay !== undefined) model.showOverlay(undefined);
      else update((s) => ({ ...s, input: EMPTY_INPUT }));
      return;
    }
    if (key.tab) {
      model.cycle(key.shift ? -1 : 1);
      return;
    }
    if (key.pageUp || key.pageDown || (key.upArrow && ui.current.input.value === '') || key.downArrow) {
      const max = maxScroll(rows.length, mainHeight);
      const step = key.pageUp || key.pageDown ? Math.max(1, paneBodyHeight(mainHeight) - 1) : 1;
      const up = key.pageUp || key.upArrow;
      const next = Math.max(0, Math.min(max, scroll + (up ? step : -step)));
      scrollTo(next);
      if (up && next >= max) model.loadOlder();
      return;
    }
    if (key.return) {
      const line = ui.current.input.value;
      update((s) => ({ ...s, input: EMPTY_INPUT }));
      const cmd = parseInput(line);
      if (cmd === undefined) return;
      if (current.overlay !== undefined && cmd.kind !== 'search' && cmd.kind !== 'help')
        model.showOverlay(undefined);
      if (cmd.kind === 'text') scrollTo(0);
      void runCommand(cmd, { model, http, quit: onQuit });
      return;
    }
    const next = editInput(ui.current.input, input, key);
    if (next === ui.current.input) return;
    update((s) => ({ ...s, input: next }));
    model.inputChanged(next.value);
  });

  return (
    <Box flexDirection="column" width={width} height={height}>
      <StatusBar
        username={snap.username}
        server={snap.server}
        node={snap.node}
        state={snap.state}
        width={width}
      />
      <Box height={mainHeight}>
        <ConversationList
          items={snap.conversations}
          activeKey={snap.activeKey}
          width={listWidth}
          height={mainHeight}
        />
        <Box flexDirection="column" width={1}>
          {Array.from({ length: mainHeight }, (_, i) => (
            <Text key={String(i)} dimColor>
              │
            </Text>
          ))}
        </Box>
        {snap.overlay === undefined ? (
          <ChatPane
            conversation={snap.active}
            rows={rows}
            width={paneWidth}
            height={mainHeight}
            scroll={scroll}
          />
        ) : (
          <Panel overlay={snap.overlay} width={paneWidth} height={mainHeight} />
        )}
      </Box>
      <InputLine
        state={ui.current.input}
        width={width}
        placeholder={snap.active === undefined ? 'type /help' : `message ${snap.active.title}`}
      />
      <NoticeLine notice={snap.notice} width={width} />
    </Box>
  );
}
