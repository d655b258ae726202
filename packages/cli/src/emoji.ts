/**
 * Emoji shortcodes for the input line: `:smile:` becomes 😄. A small, common set (the GitHub /
 * Slack names); unknown codes are left as typed, so `10:30:00` or `:notacode:` stay intact.
 */
export const EMOJI: Readonly<Record<string, string>> = {
  smile: '😄',
  smiley: '😃',
  grin: '😁',
  grinning: '😀',
  laughing: '😆',
  joy: '😂',
  rofl: '🤣',
  sweat_smile: '😅',
  wink: '😉',
  blush: '😊',
  slight_smile: '🙂',
  upside_down: '🙃',
  heart_eyes: '😍',
  kissing_heart: '😘',
  sunglasses: '😎',
  thinking: '🤔',
  neutral_face: '😐',
  expressionless: '😑',
  unamused: '😒',
  roll_eyes: '🙄',
  sleeping: '😴',
  cry: '😢',
  sob: '😭',
  scream: '😱',
  angry: '😠',
  rage: '😡',
  partying: '🥳',
  hugs: '🤗',
  shrug: '🤷',
  facepalm: '🤦',
  wave: '👋',
  clap: '👏',
  pray: '🙏',
  muscle: '💪',
  ok_hand: '👌',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  point_up: '☝️',
  eyes: '👀',
  heart: '❤️',
  broken_heart: '💔',
  fire: '🔥',
  sparkles: '✨',
  star: '⭐',
  tada: '🎉',
  rocket: '🚀',
  '100': '💯',
  check: '✅',
  white_check_mark: '✅',
  x: '❌',
  warning: '⚠️',
  bulb: '💡',
  zzz: '💤',
  coffee: '☕',
  beer: '🍺',
  pizza: '🍕',
  cake: '🍰',
  poop: '💩',
  skull: '💀',
  ghost: '👻',
  robot: '🤖',
  see_no_evil: '🙈',
};

const SHORTCODE = /:([a-z0-9_+-]{1,32}):/g;

/** Replaces every known `:code:` in `text`. */
export function expandShortcodes(text: string): string {
  return text.replace(SHORTCODE, (whole, code: string) => EMOJI[code] ?? whole);
}

/**
 * For live expansion while typing: if the text before `cursor` ends with a known `:code:`,
 * replaces it and moves the cursor; otherwise returns the input unchanged.
 */
export function expandAtCursor(value: string, cursor: number): { value: string; cursor: number } {
  const before = value.slice(0, cursor);
  const m = /:([a-z0-9_+-]{1,32}):$/.exec(before);
  const emoji = m?.[1] === undefined ? undefined : EMOJI[m[1]];
  if (m === null || emoji === undefined) return { value, cursor };
  const head = before.slice(0, m.index) + emoji;
  return { value: head + value.slice(cursor), cursor: head.length };
}
