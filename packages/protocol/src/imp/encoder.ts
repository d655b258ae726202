/**
 * IMP replies and deliveries (server → client). Every line ends with `\r\n` (telnet-friendly);
 * a MSG's payload follows its header line and has no terminator of its own, its length is in
 * bytes. Text that goes on a line (errors, ids) has its line breaks and control characters
 * replaced, so a reply is always exactly one line.
 */

const encoder = new TextEncoder();
const CRLF = '\r\n';

/** One line of text without control characters (they become spaces). */
export function impLineText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function line(text: string): Uint8Array {
  return encoder.encode(text + CRLF);
}

function prefixed(id: string, prefix: '#' | '@'): string {
  const clean = impLineText(id).replace(/ /g, '_');
  return clean.startsWith(prefix) ? clean : prefix + clean;
}

const OK_LINE = line('OK');

export function encodeImpOk(): Uint8Array {
  return OK_LINE;
}

export function encodeImpErr(text: string): Uint8Array {
  const clean = impLineText(text).trim();
  return line(clean === '' ? 'ERR' : `ERR ${clean}`);
}

/** Answer to PING (a Parley extension): `PONG`, echoing the PING's token if it had one. */
export function encodeImpPong(token = ''): Uint8Array {
  const clean = impLineText(token).trim();
  return line(clean === '' ? 'PONG' : `PONG ${clean}`);
}

/** `CHNS #a #b` (just `CHNS` when there is none). */
export function encodeImpChannels(channels: readonly string[]): Uint8Array {
  return line(['CHNS', ...channels.map((c) => prefixed(c, '#'))].join(' '));
}

/** `USERS #chan @x @y`. */
export function encodeImpUsers(channel: string, users: readonly string[]): Uint8Array {
  return line(['USERS', prefixed(channel, '#'), ...users.map((u) => prefixed(u, '@'))].join(' '));
}

export type ImpDelivery =
  | { readonly target: 'CHN'; readonly channel: string; readonly sender: string; readonly text: string }
  | { readonly target: 'USER'; readonly sender: string; readonly text: string };

/**
 * `MSG CHN #chan @sender <length>\r\n<payload>` or `MSG USER @sender <length>\r\n<payload>`, the
 * length being the payload's UTF-8 byte count.
 */
export function encodeImpMsg(delivery: ImpDelivery): Uint8Array {
  const payload = encoder.encode(delivery.text);
  const head =
    delivery.target === 'CHN'
      ? `MSG CHN ${prefixed(delivery.channel, '#')} ${prefixed(delivery.sender, '@')}`
      : `MSG USER ${prefixed(delivery.sender, '@')}`;
  const headBytes = encoder.encode(`${head} ${payload.length}${CRLF}`);
  const out = new Uint8Array(headBytes.length + payload.length);
  out.set(headBytes);
  out.set(payload, headBytes.length);
  return out;
}
