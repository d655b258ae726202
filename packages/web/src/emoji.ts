/** The emoji picker's set: a small, fixed list (no emoji library), grouped for the tabs. */
export interface EmojiGroup {
  readonly name: string;
  readonly emojis: readonly (readonly [symbol: string, label: string])[];
}

export const EMOJI_GROUPS: readonly EmojiGroup[] = [
  {
    name: 'Smileys',
    emojis: [
      ['😀', 'grinning'],
      ['😄', 'smile'],
      ['😂', 'joy'],
      ['🙂', 'slight smile'],
      ['😉', 'wink'],
      ['😊', 'blush'],
      ['😍', 'heart eyes'],
      ['😘', 'kiss'],
      ['😎', 'sunglasses'],
      ['🤔', 'thinking'],
      ['😐', 'neutral'],
      ['🙄', 'eye roll'],
      ['😴', 'sleeping'],
      ['😢', 'cry'],
      ['😭', 'sob'],
      ['😡', 'angry'],
      ['😱', 'scream'],
      ['🤯', 'mind blown'],
      ['🥳', 'party'],
      ['😇', 'innocent'],
    ],
  },
  {
    name: 'Gestures',
    emojis: [
      ['👍', 'thumbs up'],
      ['👎', 'thumbs down'],
      ['👏', 'clap'],
      ['🙌', 'raised hands'],
      ['🙏', 'pray'],
      ['👋', 'wave'],
      ['👌', 'ok hand'],
      ['✌️', 'victory'],
      ['🤝', 'handshake'],
      ['💪', 'muscle'],
    ],
  },
  {
    name: 'Hearts',
    emojis: [
      ['❤️', 'heart'],
      ['🧡', 'orange heart'],
      ['💛', 'yellow heart'],
      ['💚', 'green heart'],
      ['💙', 'blue heart'],
      ['💜', 'purple heart'],
      ['💔', 'broken heart'],
      ['✨', 'sparkles'],
    ],
  },
  {
    name: 'Things',
    emojis: [
      ['🎉', 'tada'],
      ['🔥', 'fire'],
      ['⭐', 'star'],
      ['☕', 'coffee'],
      ['🍕', 'pizza'],
      ['🎂', 'cake'],
      ['🚀', 'rocket'],
      ['💡', 'idea'],
      ['✅', 'check'],
      ['❌', 'cross'],
      ['⏰', 'alarm'],
      ['📎', 'paperclip'],
    ],
  },
];

/**
 * FACE messages (content type 9, e.g. from Jim clients) carry a symbol such as `[:smile]`. Known
 * names show as their emoji; anything else is shown as the text it is.
 */
const FACES = new Map<string, string>(
  EMOJI_GROUPS.flatMap((g) => g.emojis.map(([symbol, label]) => [label.replace(/ /g, '_'), symbol] as const)),
);

export function faceSymbol(text: string): string {
  const name = /^\[:([a-z_]{1,32})\]$/.exec(text.trim())?.[1];
  return (name === undefined ? undefined : FACES.get(name)) ?? text;
}
