import { parseClaim, parseRedPacket, type WalletCommand } from './slash-wallet.js';

/**
 * The input line's language: plain text is a message; a line starting with `/` is a command.
 * `//` at the start sends a literal `/`. Parsing is pure, so every form is unit-tested.
 */
export type SlashCommand =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'dm'; readonly username: string }
  | { readonly kind: 'join'; readonly room: string }
  | { readonly kind: 'leave' }
  | { readonly kind: 'group-create'; readonly name: string; readonly usernames: readonly string[] }
  | { readonly kind: 'group-add'; readonly usernames: readonly string[] }
  | { readonly kind: 'group-remove'; readonly usernames: readonly string[] }
  | { readonly kind: 'group-leave' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'recall'; readonly seq: bigint | undefined }
  | { readonly kind: 'edit'; readonly seq: bigint | undefined; readonly text: string }
  | { readonly kind: 'search'; readonly query: string }
  | WalletCommand
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'error'; readonly message: string };

export const SLASH_HELP: readonly (readonly [string, string])[] = [
  ['/dm <user>', 'open the direct chat with a user'],
  ['/join <room>', 'join (or create) a chatroom'],
  ['/leave', 'leave the current chatroom or group (hide a direct chat)'],
  ['/group create <name> <users…>', 'create a group ("quote" names with spaces)'],
  ['/group add <users…>', 'add members to the current group'],
  ['/group remove <users…>', 'remove members from the current group'],
  ['/group leave', 'leave the current group'],
  ['/file <path>', 'upload a file and send it (images, audio, video, PDF)'],
  ['/recall [seq]', 'recall your last message (or the one with that #seq)'],
  ['/edit [#seq] <text>', 'edit your last message (or the one with that #seq)'],
  ['/search <text>', 'search your conversations'],
  ['/redpacket <amt> [n] [text]', 'send a red packet: amount 12.34, n shares (--even: equal)'],
  ['/claim [#seq | id]', 'claim the newest red packet here (or that one)'],
  ['/wallet', 'your balance and latest ledger entries'],
  ['/help', 'this help'],
  ['/quit', 'quit (the session stays saved)'],
  ['//text', 'send a message that starts with /'],
];

const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$/;
const ROOM = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Splits on white space; a word that starts with a "double" or 'single' quote runs to the
 * matching quote (so names may hold spaces). An apostrophe inside a word is just a character.
 * Undefined when a quote is left open.
 */
export function tokenize(text: string): string[] | undefined {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (!inWord && (ch === '"' || ch === "'")) {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(current);
  return words;
}

type Users = { readonly names: string[] } | { readonly error: SlashCommand };

function parseUsers(words: readonly string[], usage: string): Users {
  if (words.length === 0) return { error: { kind: 'error', message: `usage: ${usage}` } };
  const names = words.map((w) => w.replace(/^@/, ''));
  const bad = names.find((n) => !USERNAME.test(n));
  if (bad !== undefined) return { error: { kind: 'error', message: `"${bad}" is not a username` } };
  return { names };
}

function seqOf(word: string): bigint | undefined {
  const m = /^#?([1-9][0-9]{0,18})$/.exec(word);
  return m?.[1] === undefined ? undefined : BigInt(m[1]);
}

/** The command of one input line; undefined for a blank line. */
export function parseInput(line: string): SlashCommand | undefined {
  if (line.trim() === '') return undefined;
  if (line.startsWith('//')) return { kind: 'text', text: line.slice(1) };
  if (!line.startsWith('/')) return { kind: 'text', text: line };
  const m = /^\/(\S*)\s*(.*)$/s.exec(line);
  const name = (m?.[1] ?? '').toLowerCase();
  const restText = (m?.[2] ?? '').trim();
  // The greeting is free text: its quotes are not the command's.
  if (name === 'redpacket' || name === 'rp') return parseRedPacket(restText);
  const words = tokenize(restText);
  if (words === undefined) return { kind: 'error', message: 'unbalanced quotes' };
  switch (name) {
    case 'dm':
    case 'msg': {
      const u = parseUsers(words, '/dm <user>');
      if ('error' in u) return u.error;
      const [username] = u.names;
      if (username === undefined || u.names.length !== 1)
        return { kind: 'error', message: 'usage: /dm <user>' };
      return { kind: 'dm', username };
    }
    case 'join': {
      const room = (words[0] ?? '').replace(/^#/, '');
      if (words.length !== 1 || !ROOM.test(room))
        return { kind: 'error', message: 'usage: /join <room> (letters, digits, _ . -)' };
      return { kind: 'join', room: room.toLowerCase() };
    }
    case 'leave':
    case 'part':
      return words.length === 0
        ? { kind: 'leave' }
        : { kind: 'error', message: 'usage: /leave (leaves the current conversation)' };
    case 'group':
      return group(words);
    case 'file':
    case 'upload':
      return restText === ''
        ? { kind: 'error', message: 'usage: /file <path>' }
        : { kind: 'file', path: restText };
    case 'recall': {
      if (words.length === 0) return { kind: 'recall', seq: undefined };
      const seq = words.length === 1 ? seqOf(words[0] ?? '') : undefined;
      return seq === undefined ? { kind: 'error', message: 'usage: /recall [seq]' } : { kind: 'recall', seq };
    }
    case 'edit': {
      const numbered = /^(#[0-9]+)(?:\s+(.*))?$/s.exec(restText);
      const seq = numbered?.[1] === undefined ? undefined : seqOf(numbered[1]);
      if (numbered !== null && seq === undefined)
        return { kind: 'error', message: 'usage: /edit [#seq] <new text>' };
      const text = numbered === null ? restText : (numbered[2] ?? '').trim();
      if (text === '') return { kind: 'error', message: 'usage: /edit [#seq] <new text>' };
      return { kind: 'edit', seq, text };
    }
    case 'search':
    case 'find':
      return restText === ''
        ? { kind: 'error', message: 'usage: /search <text>' }
        : { kind: 'search', query: restText };
    case 'claim':
    case 'open':
      return parseClaim(words);
    case 'wallet':
    case 'balance':
      return words.length === 0 ? { kind: 'wallet' } : { kind: 'error', message: 'usage: /wallet' };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
    case 'q':
      return { kind: 'quit' };
    default:
      return { kind: 'error', message: `unknown command /${name}; /help lists them` };
  }
}

function group(words: readonly string[]): SlashCommand {
  const [sub, ...rest] = words;
  switch (sub?.toLowerCase()) {
    case 'create': {
      const [name, ...members] = rest;
      if (name === undefined || name.trim() === '')
        return { kind: 'error', message: 'usage: /group create <name> <users…>' };
      if (members.length === 0) return { kind: 'group-create', name, usernames: [] };
      const u = parseUsers(members, '/group create <name> <users…>');
      return 'error' in u ? u.error : { kind: 'group-create', name, usernames: u.names };
    }
    case 'add': {
      const u = parseUsers(rest, '/group add <users…>');
      return 'error' in u ? u.error : { kind: 'group-add', usernames: u.names };
    }
    case 'remove':
    case 'kick': {
      const u = parseUsers(rest, '/group remove <users…>');
      return 'error' in u ? u.error : { kind: 'group-remove', usernames: u.names };
    }
    case 'leave':
      return rest.length === 0 ? { kind: 'group-leave' } : { kind: 'error', message: 'usage: /group leave' };
    case undefined:
    default:
      return {
        kind: 'error',
        message: 'usage: /group create <name> <users…> | add <users…> | remove <users…> | leave',
      };
  }
}
