import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** Options every command accepts (also before the command name: `parley --server h:p send ...`). */
export const GLOBAL_OPTIONS = {
  server: { type: 'string' },
  gateway: { type: 'string' },
  http: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const GLOBAL_HELP = `Options for every command:
  --server HOST:PORT   the server's TCP address (default: the saved session's, else
                       $PARLEY_SERVER, else 127.0.0.1:7070)
  --gateway URL[,URL…] a cluster: ask these nodes' GET /api/v1/gateway for a live node at
                       every (re)connect, so a reconnect after a node died goes to another
                       (default: the saved session's, else $PARLEY_GATEWAY; saved at login)
  --http URL           the server's HTTP API, for uploads and scripts (default: the saved
                       session's, else $PARLEY_HTTP, else the server host on port 8080;
                       with a gateway: the node it names)
  -h, --help           show help`;

type Options = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/** What parsing yields: each option's value (undefined when absent) and the positionals. */
export interface Parsed<O extends Options> {
  readonly values: { readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  readonly positionals: string[];
}

/**
 * Strict parsing of one command's arguments, with the global options mixed in: an unknown option
 * or a missing value is a UsageError (exit code 2), never a stack trace.
 */
export function parseCommandArgs<O extends Options>(
  args: readonly string[],
  options: O,
): Parsed<typeof GLOBAL_OPTIONS & O> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '') : String(err),
    );
  }
}

/**
 * Splits `argv` into the command name (the first positional, skipping values of the global
 * options) and the rest, so global options may come before or after the command.
 */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return { command: argv[i + 1], rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
    if (arg === '--server' || arg === '--http' || arg === '--gateway') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

/** A positive integer option within [1, max]. */
export function intOption(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  const n = Number(value);
  if (n < 1 || n > max) throw new UsageError(`--${name} must be between 1 and ${String(max)}`);
  return n;
}
