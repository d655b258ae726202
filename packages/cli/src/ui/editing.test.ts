import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Key } from 'ink';
import { EMPTY_INPUT, editInput, type EditKey, type InputState } from './input-editor.js';
import { wrapSpans } from './rows.js';
import { textWidth, truncate } from './text-width.js';
import { splitInput } from './use-keys.js';

function type(keys: readonly (string | EditKey)[], start: InputState = EMPTY_INPUT): InputState {
  let s = start;
  for (const k of keys) s = typeof k === 'string' ? editInput(s, k, {}) : editInput(s, '', k);
  return s;
}

describe('input line editing', () => {
  it('inserts at the cursor and moves by whole characters', () => {
    assert.deepEqual(type(['helo', { leftArrow: true }, 'l']), { value: 'hello', cursor: 4 });
    // An emoji (two UTF-16 units) is one step for the arrows and one Backspace.
    const s = type(['a👍b', { leftArrow: true }, { leftArrow: true }]);
    assert.equal(s.cursor, 1);
    assert.deepEqual(type([{ rightArrow: true }, { backspace: true }], s), { value: 'ab', cursor: 1 });
    assert.deepEqual(type([{ home: true }, 'x', { end: true }, 'y'], s), { value: 'xa👍by', cursor: 6 });
  });

  it('erases with Backspace/Delete (left), Ctrl+D (right), Ctrl+W, Ctrl+U and Ctrl+K', () => {
    const s = type(['one two three']);
    assert.equal(type([{ delete: true }], s).value, 'one two thre');
    assert.equal(editInput(s, 'w', { ctrl: true }).value, 'one two ');
    assert.equal(editInput({ value: s.value, cursor: 4 }, 'u', { ctrl: true }).value, 'two three');
    assert.equal(editInput({ value: s.value, cursor: 3 }, 'k', { ctrl: true }).value, 'one');
    assert.equal(editInput({ value: s.value, cursor: 0 }, 'd', { ctrl: true }).value, 'ne two three');
    assert.deepEqual(type([{ backspace: true }]), EMPTY_INPUT);
  });

  it('turns a shortcode into its emoji when the closing colon is typed', () => {
    assert.deepEqual(type(['hi :smile', ':']), { value: 'hi 😄', cursor: 5 });
    assert.equal(type(['12:30', ':']).value, '12:30:');
    // Not in fields that hold addresses.
    assert.equal(editInput({ value: 'x :smile', cursor: 8 }, ':', {}, false).value, 'x :smile:');
  });

  it('keeps a paste on one line and drops control characters', () => {
    assert.equal(type(['line one\r\nline\ttwo\u0007']).value, 'line one line two');
    assert.deepEqual(editInput(EMPTY_INPUT, 'q', { meta: true }), EMPTY_INPUT);
  });
});

const NO_KEY = { return: false, tab: false, delete: false, backspace: false } as Key;

describe('key chunks', () => {
  it('splits text and control keys that arrive in one chunk', () => {
    const parts = splitInput('alice\rsecret\t\x7f', NO_KEY).map(([i, k]) => [i, k.return, k.tab, k.delete]);
    assert.deepEqual(parts, [
      ['alice', false, false, false],
      ['', true, false, false],
      ['secret', false, false, false],
      ['', false, true, false],
      ['', false, false, true],
    ]);
    const single = splitInput('a', NO_KEY);
    assert.equal(single.length, 1);
    assert.equal(single[0]?.[1], NO_KEY);
  });
});

describe('text layout', () => {
  it('measures wide characters and emoji as two cells', () => {
    assert.equal(textWidth('abc'), 3);
    assert.equal(textWidth('日本'), 4);
    assert.equal(textWidth('😄!'), 3);
    assert.equal(textWidth('❤️'), 2);
    assert.equal(truncate('日本語', 5), '日本');
  });

  it('wraps between words, indents continuation rows and keeps explicit breaks', () => {
    const rows = wrapSpans([{ text: 'bob: ', bold: true }, { text: 'the quick brown fox jumps\nover' }], 12);
    // (A row may end in the space it broke at; it is invisible.)
    const texts = rows.map((r) =>
      r
        .map((s) => s.text)
        .join('')
        .trimEnd(),
    );
    assert.deepEqual(texts, ['bob: the', '  quick', '  brown fox', '  jumps', '  over']);
    for (const t of texts) assert.ok(textWidth(t) <= 12, t);
    assert.equal(rows[0]?.[0]?.bold, true);
  });

  it('breaks a word longer than a row', () => {
    const texts = wrapSpans([{ text: 'x'.repeat(25) }], 10).map((r) => r.map((s) => s.text).join(''));
    assert.deepEqual(texts, ['xxxxxxxxxx', '  xxxxxxxx', '  xxxxxxx']);
  });
});
