/**
 * Native protocol commands (DESIGN §4). 1-8 are the seed's; 9 and up are Parley's extensions.
 * A plain `as const` table, so a command is a number on the wire and a literal type in code.
 */
export const Command = {
  LOGIN: 1,
  LOGOUT: 2,
  PING: 3,
  /** Send a message. */
  MS: 4,
  /** Pull a range of one conversation. */
  MP: 5,
  /** Notify: a conversation moved, pull it. */
  MN: 6,
  /** Recall a message. */
  MR: 7,
  /** Push: a message delivered by the server. */
  MPS: 8,
  REGISTER: 9,
  SYNC: 10,
  KICK: 11,
  DISCONNECT: 12,
} as const;

export type Command = (typeof Command)[keyof typeof Command];

const commandNames = new Map<number, string>(Object.entries(Command).map(([k, v]) => [v, k]));

export function isKnownCommand(value: number): value is Command {
  return commandNames.has(value);
}

export function commandName(value: number): string {
  return commandNames.get(value) ?? `UNKNOWN(${String(value)})`;
}
