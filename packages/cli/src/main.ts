#!/usr/bin/env node
// The `parley` executable (package.json "bin").
import { getEventListeners } from 'node:events';
import { defaultContext, runCli } from './cli.js';

// Long-running commands (tail, chat) listen to `stop` and finish cleanly; any other command, or
// a second signal, ends the process at once, as the default handler would.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted || getEventListeners(stop.signal, 'abort').length === 0) process.exit(130);
    stop.abort();
  });
}

const code = await runCli(process.argv.slice(2), defaultContext(stop.signal));
process.exitCode = code;
// Open sockets or timers of a finished command must not keep the process alive.
setImmediate(() => process.exit(code));
