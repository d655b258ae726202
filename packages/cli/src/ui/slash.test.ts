import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseInput, tokenize } from './slash.js';

describe('input line commands', () => {
  it('treats plain lines as messages and // as an escaped slash', () => {
    assert.deepEqual(parseInput('hello there'), { kind: 'text', text: 'hello there' });
    assert.deepEqual(parseInput('//shrug'), { kind: 'text', text: '/shrug' });
    assert.equal(parseInput('   '), undefined);
    assert.equal(parseInput(''), undefined);
  });

  it('parses /dm and /join', () => {
    assert.deepEqual(parseInput('/dm bob'), { kind: 'dm', username: 'bob' });
    assert.deepEqual(parseInput('/dm @bob'), { kind: 'dm', username: 'bob' });
    assert.deepEqual(parseInput('/DM Bob'), { kind: 'dm', username: 'Bob' });
    assert.deepEqual(parseInput('/join #General'), { kind: 'join', room: 'general' });
    assert.deepEqual(parseInput('/join dev.ops'), { kind: 'join', room: 'dev.ops' });
    assert.equal(parseInput('/dm')?.kind, 'error');
    assert.equal(parseInput('/dm bob carol')?.kind, 'error');
    assert.equal(parseInput('/dm b!b')?.kind, 'error');
    assert.equal(parseInput('/join two words')?.kind, 'error');
    assert.equal(parseInput('/join -bad')?.kind, 'error');
  });

  it('parses /leave and the /group family', () => {
    assert.deepEqual(parseInput('/leave'), { kind: 'leave' });
    assert.deepEqual(parseInput('/group create Team bob @carol'), {
      kind: 'group-create',
      name: 'Team',
      usernames: ['bob', 'carol'],
    });
    assert.deepEqual(parseInput('/group create "Team A" bob'), {
      kind: 'group-create',
      name: 'Team A',
      usernames: ['bob'],
    });
    assert.deepEqual(parseInput('/group create solo'), { kind: 'group-create', name: 'solo', usernames: [] });
    assert.deepEqual(parseInput('/group add dave erin'), { kind: 'group-add', usernames: ['dave', 'erin'] });
    assert.deepEqual(parseInput('/group remove dave'), { kind: 'group-remove', usernames: ['dave'] });
    assert.deepEqual(parseInput('/group leave'), { kind: 'group-leave' });
    assert.equal(parseInput('/group')?.kind, 'error');
    assert.equal(parseInput('/group add')?.kind, 'error');
    assert.equal(parseInput('/group create')?.kind, 'error');
    assert.equal(parseInput('/group create "Team A bob')?.kind, 'error');
    assert.equal(parseInput('/group explode')?.kind, 'error');
  });

  it('takes the rest of the line as the /file path (spaces included)', () => {
    assert.deepEqual(parseInput('/file ~/Pictures/cat photo.png'), {
      kind: 'file',
      path: '~/Pictures/cat photo.png',
    });
    assert.equal(parseInput('/file')?.kind, 'error');
  });

  it('parses /recall and /edit with and without a seq', () => {
    assert.deepEqual(parseInput('/recall'), { kind: 'recall', seq: undefined });
    assert.deepEqual(parseInput('/recall 12'), { kind: 'recall', seq: 12n });
    assert.deepEqual(parseInput('/recall #12'), { kind: 'recall', seq: 12n });
    assert.equal(parseInput('/recall twelve')?.kind, 'error');
    assert.deepEqual(parseInput('/edit better words'), {
      kind: 'edit',
      seq: undefined,
      text: 'better words',
    });
    assert.deepEqual(parseInput('/edit #7 fixed'), { kind: 'edit', seq: 7n, text: 'fixed' });
    // A number without # is text: "/edit 42 is the answer" edits the last message.
    assert.deepEqual(parseInput('/edit 42 is the answer'), {
      kind: 'edit',
      seq: undefined,
      text: '42 is the answer',
    });
    assert.equal(parseInput('/edit')?.kind, 'error');
    assert.equal(parseInput('/edit #7')?.kind, 'error');
  });

  it('parses /search, /help, /quit and reports unknown commands', () => {
    assert.deepEqual(parseInput('/search launch plan'), { kind: 'search', query: 'launch plan' });
    assert.equal(parseInput('/search')?.kind, 'error');
    assert.deepEqual(parseInput('/help'), { kind: 'help' });
    assert.deepEqual(parseInput('/quit'), { kind: 'quit' });
    assert.deepEqual(parseInput('/exit'), { kind: 'quit' });
    const unknown = parseInput('/frobnicate now');
    assert.ok(unknown?.kind === 'error');
    assert.match(unknown.message, /unknown command \/frobnicate/);
  });

  it('tokenizes quotes only at word starts', () => {
    assert.deepEqual(tokenize(`a "b c" 'd e' f`), ['a', 'b c', 'd e', 'f']);
    assert.deepEqual(tokenize(`Bob's team`), [`Bob's`, 'team']);
    assert.deepEqual(tokenize(`""`), ['']);
    assert.equal(tokenize(`"open`), undefined);
    assert.deepEqual(tokenize('   '), []);
  });
});
