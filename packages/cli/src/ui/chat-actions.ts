import { ConversationType, chatroom, direct, group } from '@parley/sdk';
import { expandShortcodes } from '../emoji.js';
import { describeError } from '../errors.js';
import type { HttpApi } from '../http-api.js';
import { expandPath, nativeContent, uploadFile } from '../media.js';
import { formatBytes } from '../message-view.js';
import type { ChatModel } from './chat-model.js';
import type { SlashCommand } from './slash.js';
import { runWalletCommand } from './wallet-actions.js';

export interface ActionHost {
  readonly model: ChatModel;
  /** The HTTP API with this session's token (for /file). */
  readonly http: () => HttpApi;
  readonly quit: () => void;
}

/** Runs one line of the input; failures become an error notice, never an exception. */
export async function runCommand(cmd: SlashCommand, host: ActionHost): Promise<void> {
  const { model } = host;
  try {
    await run(cmd, host);
  } catch (err) {
    model.say(describeError(err), 'error');
  }
}

async function userIds(model: ChatModel, usernames: readonly string[]): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const name of usernames) {
    const id = await model.findUser(name);
    if (id === undefined) throw new Error(`no user named "${name}"`);
    ids.push(BigInt(id));
  }
  return ids;
}

function activeOf(model: ChatModel, type?: number) {
  const c = model.active();
  if (c === undefined) throw new Error('no conversation open');
  if (type !== undefined && c.ref.type !== type) {
    throw new Error(
      type === ConversationType.GROUP ? 'the open conversation is not a group' : 'wrong conversation type',
    );
  }
  return c;
}

async function run(cmd: SlashCommand, host: ActionHost): Promise<void> {
  const { model } = host;
  const client = model.client;
  switch (cmd.kind) {
    case 'text':
      model.sendText(expandShortcodes(cmd.text));
      return;
    case 'dm': {
      const id = await model.findUser(cmd.username);
      if (id === undefined) throw new Error(`no user named "${cmd.username}"`);
      model.open(direct(id));
      return;
    }
    case 'join': {
      const info = await client.chatrooms.join(cmd.room);
      const c = model.open(chatroom(info.name !== '' ? info.name : cmd.room));
      if (info.maxSeq > c.maxSeq) c.maxSeq = info.maxSeq;
      if (info.maxSeq > c.readSeq) c.readSeq = info.maxSeq;
      model.say(`joined #${cmd.room} (${String(info.memberCount)} members)`);
      return;
    }
    case 'leave': {
      const c = activeOf(model);
      if (c.ref.type === ConversationType.CHATROOM) await client.chatrooms.leave(c.ref.target);
      else if (c.ref.type === ConversationType.GROUP) await client.groups.leave(c.ref.target);
      else await client.conversations.hide(c.ref);
      const title = c.title(model.users);
      model.remove(c.key);
      model.say(`left ${title}`);
      return;
    }
    case 'group-create': {
      const ids = await userIds(model, cmd.usernames);
      const info = await client.groups.create({ name: cmd.name, memberIds: ids });
      const c = model.open(group(info.groupId), info.name);
      if (info.maxSeq > c.maxSeq) c.maxSeq = info.maxSeq;
      model.say(`created group ${info.name} (id ${info.groupId})`);
      return;
    }
    case 'group-add': {
      const c = activeOf(model, ConversationType.GROUP);
      const added = await client.groups.addMembers(c.ref.target, await userIds(model, cmd.usernames));
      model.say(added.length === 0 ? 'nobody new to add' : `added ${String(added.length)} member(s)`);
      return;
    }
    case 'group-remove': {
      const c = activeOf(model, ConversationType.GROUP);
      const removed = await client.groups.removeMembers(c.ref.target, await userIds(model, cmd.usernames));
      model.say(removed.length === 0 ? 'nobody to remove' : `removed ${String(removed.length)} member(s)`);
      return;
    }
    case 'group-leave': {
      const c = activeOf(model, ConversationType.GROUP);
      await client.groups.leave(c.ref.target);
      const title = c.title(model.users);
      model.remove(c.key);
      model.say(`left ${title}`);
      return;
    }
    case 'file': {
      activeOf(model);
      const path = expandPath(cmd.path);
      model.say(`uploading ${path}…`);
      const file = await uploadFile(host.http(), path);
      model.send(nativeContent(file), `[${file.name}]`);
      model.say(`sent ${file.name} (${file.media.mime}, ${formatBytes(file.media.size)})`);
      return;
    }
    case 'recall': {
      const c = activeOf(model);
      const seq = cmd.seq ?? model.lastOwnSeq(c, false);
      if (seq === undefined) throw new Error('no message of yours to recall here');
      await client.messages.recall(c.ref, seq);
      model.say(`recalled #${String(seq)}`);
      return;
    }
    case 'edit': {
      const c = activeOf(model);
      const seq = cmd.seq ?? model.lastOwnSeq(c, true);
      if (seq === undefined) throw new Error('no text message of yours to edit here');
      await client.messages.edit(c.ref, seq, expandShortcodes(cmd.text));
      model.say(`edited #${String(seq)}`);
      return;
    }
    case 'search': {
      model.showOverlay({ kind: 'search', query: cmd.query, hits: undefined });
      const found = await client.messages.search(cmd.query, { limit: 30 });
      model.showOverlay({ kind: 'search', query: cmd.query, hits: model.searchHits(found) });
      return;
    }
    case 'redpacket':
    case 'claim':
    case 'wallet':
      await runWalletCommand(cmd, model);
      return;
    case 'help':
      model.showOverlay({ kind: 'help' });
      return;
    case 'quit':
      host.quit();
      return;
    case 'error':
      model.say(cmd.message, 'error');
      return;
  }
}
