// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import type { InputState } from './input-editor.js';
import { graphemes, textWidth, truncate } from './text-width.js';

export interface InputLineProps {
  readonly state: InputState;
  readonly width: number;
  readonly prompt?: string;
  readonly placeholder?: string;
  /** Draw the cursor (the focused field). */
  readonly focused?: boolean;
  /** Show • for each character (passwords). */
  readonly mask?: boolean;
}

/**
 * One editable line with a block cursor. Text wider than the line scrolls so the cursor stays
 * visible.
 */
export function InputLine({
  state,
  width,
  prompt = '› ',
  placeholder = '',
  focused = true,
  mask = false,
}: InputLineProps) {
  const all = graphemes(state.value);
  const chars = mask ? all.map(() => '•') : all;
  const index = graphemes(state.value.slice(0, state.cursor)).length;
  const room = Math.max(4, width - textWidth(prompt) - 1);
  let before = chars.slice(0, index).join('');
  const at = chars[index] ?? ' ';
  const after = chars.slice(index + 1).join('');
  // Keep the cursor in view: drop graphemes from the left until the text before it fits.
  while (textWidth(before) > room - 1) before = graphemes(before).slice(1).join('');
  const rest = truncate(after, Math.max(0, room - textWidth(before) - textWidth(at)));
  return (
    <Box width={width}>
      <Text color="cyan">{prompt}</Text>
      {state.value === '' && placeholder !== '' ? (
        <Text>
          {focused ? <Text inverse> </Text> : null}
          <Text dimColor>{truncate(placeholder, room - 1)}</Text>
        </Text>
      ) : (
        <Text>
          {before}
          {focused ? <Text inverse>{at}</Text> : at}
          {rest}
        </Text>
      )}
    </Box>
  );
}
