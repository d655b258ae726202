import { NotSignedInError } from '../errors.js';
import { resolveEndpoints, type EndpointFlags, type Endpoints } from '../server-address.js';
import type { SavedSession, SessionStore } from '../session-store.js';

/** What a command may touch: the process's streams and environment, and the session store. */
export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly store: SessionStore;
  /** Aborted on SIGINT / SIGTERM: long-running commands (tail) stop cleanly. */
  readonly stop: AbortSignal;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for `parley --help`. */
  readonly summary: string;
  /** The full `parley <name> --help` text. */
  readonly help: string;
  /** Returns the exit code. */
  run(ctx: CliContext, args: readonly string[]): Promise<number>;
}

/** The endpoints and the saved session for them; a command that needs one fails clearly. */
export async function signedIn(
  ctx: CliContext,
  flags: EndpointFlags,
): Promise<{ endpoints: Endpoints; session: SavedSession }> {
  const saved = await ctx.store.load();
  const endpoints = resolveEndpoints(flags, saved, ctx.env);
  if (endpoints.session === undefined) {
    throw new NotSignedInError(
      saved === undefined
        ? 'not signed in: run `parley login` first'
        : `the saved session is for ${saved.server}, not ${endpoints.serverText}: run \`parley login ${endpoints.route.kind === 'gateway' ? '--gateway' : '--server'} ${endpoints.serverText}\``,
    );
  }
  return { endpoints, session: endpoints.session };
}
