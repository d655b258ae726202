// The CLI as a library: the same entry point the `parley` executable uses, and the pieces other
// tools may reuse (addresses, emoji shortcodes, the session location).
export { runCli, defaultContext, COMMANDS } from './cli.js';
export type { CliContext, CommandSpec } from './commands/context.js';
export { parseTarget, formatTarget, type Target } from './address.js';
export { expandShortcodes, EMOJI } from './emoji.js';
export { configDir } from './config-dir.js';
export { SessionStore, type SavedSession } from './session-store.js';
