import { AuthFailedError, ParleyError, TokenExpiredError, TokenRevokedError } from '@parley/sdk';
import { CliError, describeError } from './errors.js';

/** A sign-in or connection failure as one line the user can act on. */
export function connectError(err: unknown, server: string): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof TokenRevokedError || err instanceof TokenExpiredError) {
    return new CliError(`the saved session has ended (${err.message}): run \`parley login\` again`);
  }
  if (err instanceof AuthFailedError) return new CliError(err.message);
  if (err instanceof ParleyError) return new CliError(err.message);
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined || (err instanceof Error && /connect|closed|timed out|gateway/i.test(err.message))) {
    return new CliError(`cannot connect to ${server}: ${describeError(err)}`);
  }
  return new CliError(describeError(err));
}

/** The server refused the credentials or token: retrying cannot help, a new sign-in can. */
export function isAuthFailure(err: unknown): boolean {
  return (
    err instanceof AuthFailedError || err instanceof TokenRevokedError || err instanceof TokenExpiredError
  );
}
