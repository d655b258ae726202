// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text } from 'ink';
import { EMPTY_INPUT, editInput, type InputState } from './input-editor.js';
import { InputLine } from './InputLine.js';
import { useKeys, useMutable } from './use-keys.js';

export interface LoginValues {
  readonly server: string;
  readonly username: string;
  readonly password: string;
  readonly register: boolean;
}

export interface LoginScreenProps {
  readonly initialServer: string;
  readonly initialUsername?: string;
  /** A sign-in is in progress: input is ignored. */
  readonly busy: boolean;
  /** Why the last attempt failed. */
  readonly error?: string | undefined;
  readonly width: number;
  readonly onSubmit: (values: LoginValues) => void;
}

const FIELDS = ['server', 'username', 'password'] as const;
type Field = (typeof FIELDS)[number];
const LABELS: Readonly<Record<Field, string>> = {
  server: 'Server   ',
  username: 'Username ',
  password: 'Password ',
};

interface FormState {
  readonly values: Readonly<Record<Field, InputState>>;
  readonly focus: number;
  readonly register: boolean;
  readonly problem: string | undefined;
}

function filled(text: string): InputState {
  return { value: text, cursor: text.length };
}

/**
 * Server, username and password. Tab / arrows move between fields, Enter moves on and submits
 * from the last field, Ctrl+R switches between signing in and registering.
 */
export function LoginScreen({
  initialServer,
  initialUsername = '',
  busy,
  error,
  width,
  onSubmit,
}: LoginScreenProps) {
  const [form, update] = useMutable<FormState>(() => ({
    values: { server: filled(initialServer), username: filled(initialUsername), password: EMPTY_INPUT },
    focus: initialUsername === '' ? 1 : 2,
    register: false,
    problem: undefined,
  }));

  useKeys((input, key) => {
    if (busy) return;
    const f = form.current;
    if (key.ctrl && input === 'r') {
      update((s) => ({ ...s, register: !s.register }));
      return;
    }
    if (key.tab || key.downArrow || key.upArrow) {
      const step = key.upArrow || (key.tab && key.shift) ? -1 : 1;
      update((s) => ({ ...s, focus: (s.focus + step + FIELDS.length) % FIELDS.length }));
      return;
    }
    if (key.return) {
      const server = f.values.server.value.trim();
      const username = f.values.username.value.trim();
      const password = f.values.password.value;
      if (f.focus < FIELDS.length - 1 && (f.focus === 0 || password === '')) {
        update((s) => ({ ...s, focus: s.focus + 1 }));
        return;
      }
      if (server === '' || username === '' || password === '') {
        update((s) => ({
          ...s,
          problem: 'server, username and password are all needed',
          focus: server === '' ? 0 : username === '' ? 1 : 2,
        }));
        return;
      }
      update((s) => ({ ...s, problem: undefined }));
      onSubmit({ server, username, password, register: f.register });
      return;
    }
    const field = FIELDS[f.focus] ?? 'username';
    update((s) => ({
      ...s,
      values: { ...s.values, [field]: editInput(s.values[field], input, key, false) },
    }));
  });

  const { values, focus, register, problem } = form.current;
  const shownError = problem ?? error;
  return (
    <Box flexDirection="column" width={width} paddingX={2} paddingY={1}>
      <Text>
        <Text bold color="cyan">
          Parley
        </Text>
        <Text bold> · {register ? 'create an account' : 'sign in'}</Text>
        <Text dimColor>{register ? '   (Ctrl+R: sign in instead)' : '   (Ctrl+R: register instead)'}</Text>
      </Text>
      <Text> </Text>
      {FIELDS.map((f, i) => (
        <InputLine
          key={f}
          state={values[f]}
          width={Math.max(20, width - 4)}
          prompt={`${i === focus ? '›' : ' '} ${LABELS[f]}`}
          focused={i === focus && !busy}
          mask={f === 'password'}
        />
      ))}
      <Text> </Text>
      {busy ? (
        <Text color="yellow">{register ? 'registering…' : 'signing in…'}</Text>
      ) : (
        <Text dimColor>
          Enter: next / {register ? 'register' : 'sign in'} · Tab: next field · Ctrl+C: quit
        </Text>
      )}
      {shownError === undefined ? null : <Text color="red">{shownError}</Text>}
    </Box>
  );
}
