// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { Box, Text, useApp } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { connectError, isAuthFailure } from '../connect-errors.js';
import type { HttpApi } from '../http-api.js';
import type { ChatModel } from './chat-model.js';
import { ChatScreen } from './ChatScreen.js';
import { LoginScreen, type LoginValues } from './LoginScreen.js';
import { useKeys } from './use-keys.js';
import { useTerminalSize } from './use-size.js';

/** A signed-in chat: the model and the HTTP API with this session's token. */
export interface Connected {
  readonly model: ChatModel;
  readonly http: () => HttpApi;
}

export interface RootProps {
  readonly initialServer: string;
  readonly initialUsername: string;
  /** Signs in with the saved token; undefined when there is none for this server. */
  readonly resume: (() => Promise<Connected>) | undefined;
  readonly signIn: (values: LoginValues) => Promise<Connected>;
}

type Phase =
  | { readonly kind: 'resuming'; readonly attempt: number; readonly error: string | undefined }
  | { readonly kind: 'login'; readonly busy: boolean; readonly error: string | undefined }
  | { readonly kind: 'chat'; readonly connected: Connected };

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * Resume the saved session (retrying while the server is unreachable; Esc signs in anew), or
 * ask for credentials; then the chat screen. Quitting (Ctrl+C, /quit) exits ink; the caller
 * closes the connection.
 */
export function Root({ initialServer, initialUsername, resume, signIn }: RootProps) {
  const { width, height } = useTerminalSize();
  const app = useApp();
  const [phase, setPhase] = useState<Phase>(
    resume === undefined
      ? { kind: 'login', busy: false, error: undefined }
      : { kind: 'resuming', attempt: 0, error: undefined },
  );
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  useEffect(() => {
    if (phase.kind !== 'resuming' || resume === undefined) return;
    let cancelled = false;
    const delay =
      phase.attempt === 0 ? 0 : (RETRY_MS[Math.min(phase.attempt - 1, RETRY_MS.length - 1)] ?? 30_000);
    const timer = setTimeout(() => {
      resume().then(
        (connected) => {
          if (!cancelled && phaseRef.current.kind === 'resuming') setPhase({ kind: 'chat', connected });
        },
        (err: unknown) => {
          if (cancelled || phaseRef.current.kind !== 'resuming') return;
          const message = connectError(err, initialServer).message;
          setPhase(
            isAuthFailure(err)
              ? { kind: 'login', busy: false, error: `${message}: sign in again` }
              : { kind: 'resuming', attempt: phase.attempt + 1, error: message },
          );
        },
      );
    }, delay);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [phase, resume, initialServer]);

  useKeys((_input, key) => {
    if (key.escape) setPhase({ kind: 'login', busy: false, error: undefined });
  }, phase.kind === 'resuming');

  const submit = (values: LoginValues) => {
    setPhase({ kind: 'login', busy: true, error: undefined });
    signIn(values).then(
      (connected) => {
        setPhase({ kind: 'chat', connected });
      },
      (err: unknown) => {
        setPhase({ kind: 'login', busy: false, error: connectError(err, values.server).message });
      },
    );
  };

  switch (phase.kind) {
    case 'resuming':
      return (
        <Box flexDirection="column" paddingX={2} paddingY={1} width={width}>
          <Text>
            <Text bold color="cyan">
              Parley
            </Text>
            <Text>
              {' '}
              · connecting to {initialServer} as {initialUsername}…
            </Text>
          </Text>
          {phase.error === undefined ? null : (
            <Text color="red">
              {phase.error} (attempt {String(phase.attempt)}; retrying)
            </Text>
          )}
          <Text dimColor>Esc: sign in with a password instead · Ctrl+C: quit</Text>
        </Box>
      );
    case 'login':
      return (
        <LoginScreen
          initialServer={initialServer}
          initialUsername={initialUsername}
          busy={phase.busy}
          error={phase.error}
          width={width}
          onSubmit={submit}
        />
      );
    case 'chat':
      return (
        <ChatScreen
          model={phase.connected.model}
          http={phase.connected.http}
          onQuit={() => {
            app.exit();
          }}
          width={width}
          height={height - 1}
        />
      );
  }
}
