import { randomBytes } from 'node:crypto';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ContentType, MessageContentSchema, SystemEventSchema } from '@parley/protocol';
import type { Fanout } from './fanout.js';
import type { IdGenerator } from './snowflake.js';
import type { Store } from './store.js';
import type { ConversationId, StoredMessage, UserId } from './types.js';

export type SystemEventInit = MessageInitShape<typeof SystemEventSchema>;

export interface SystemActor {
  readonly userId: UserId;
  readonly username: string;
  readonly deviceId: string;
}

/**
 * Group events, recalls and edits are stored as SYSTEM messages with their own seq, so history
 * and sync carry them to every device that was offline (DESIGN §3, issue 3).
 */
export class SystemMessages {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly fanout: Fanout,
    private readonly now: () => number = Date.now,
  ) {}

  async append(
    conversationId: ConversationId,
    actor: SystemActor,
    text: string,
    event: SystemEventInit,
  ): Promise<StoredMessage> {
    const content = create(MessageContentSchema, {
      contentType: ContentType.SYSTEM,
      text,
      system: { ...event, actorId: actor.userId },
    });
    const { message } = await this.store.appendMessage({
      id: this.ids.next(),
      conversationId,
      senderId: actor.userId,
      senderDevice: actor.deviceId,
      // System messages are never retried by a client; a random key keeps them out of dedup.
      clientMsgId: `sys-${randomBytes(9).toString('base64url')}`,
      contentType: ContentType.SYSTEM,
      content: toBinary(MessageContentSchema, content),
      searchText: '',
      serverTime: this.now(),
    });
    await this.fanout.publish(message, actor.username);
    return message;
  }
}
