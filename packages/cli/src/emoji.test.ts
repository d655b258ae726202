import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMOJI, expandAtCursor, expandShortcodes } from './emoji.js';

describe('emoji shortcodes', () => {
  it('replaces known codes anywhere in the text', () => {
    assert.equal(expandShortcodes(':smile:'), '😄');
    assert.equal(expandShortcodes('ship it :rocket::tada: now'), 'ship it 🚀🎉 now');
    assert.equal(expandShortcodes(':+1: and :-1:'), '👍 and 👎');
    assert.equal(expandShortcodes(':heart: :100:'), '❤️ 💯');
  });

  it('leaves unknown codes, times and lone colons alone', () => {
    assert.equal(expandShortcodes(':notacode:'), ':notacode:');
    assert.equal(expandShortcodes('meet at 10:30:00'), 'meet at 10:30:00');
    assert.equal(expandShortcodes('a: b :c'), 'a: b :c');
    assert.equal(expandShortcodes('::'), '::');
    assert.equal(expandShortcodes(':SMILE:'), ':SMILE:');
  });

  it('has an emoji for every code in the table', () => {
    for (const [code, emoji] of Object.entries(EMOJI)) {
      assert.match(code, /^[a-z0-9_+-]{1,32}$/, code);
      assert.ok(emoji.length > 0 && expandShortcodes(`:${code}:`) === emoji, code);
    }
  });

  it('expands the code that ends at the cursor, for live typing', () => {
    assert.deepEqual(expandAtCursor('hi :wave:', 9), { value: 'hi 👋', cursor: 5 });
    // Text after the cursor stays and the cursor lands right after the emoji.
    assert.deepEqual(expandAtCursor('a :fire: b', 8), { value: 'a 🔥 b', cursor: 4 });
    assert.deepEqual(expandAtCursor('a :nope:', 8), { value: 'a :nope:', cursor: 8 });
    assert.deepEqual(expandAtCursor(':smile', 6), { value: ':smile', cursor: 6 });
  });
});
