/**
 * Errors the CLI reports to the user as one line, without a stack trace. Anything else that
 * escapes a command is a bug and is printed with its stack.
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad command line: exit code 2, and the command's usage is printed after the message. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The command needs a saved session and there is none (or it is for another server). */
export class NotSignedInError extends CliError {
  constructor(message = 'not signed in: run `parley login` first') {
    super(message, 1);
    this.name = 'NotSignedInError';
  }
}

/** An error's message, with the cause of Node's terse network errors (`fetch failed`) appended. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error && cause.message !== '' && !err.message.includes(cause.message)) {
    return `${err.message}: ${cause.message}`;
  }
  return err.message;
}
