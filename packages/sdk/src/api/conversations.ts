import {
  Command,
  ConversationListRequestSchema,
  ConversationListResponseSchema,
  ConversationSettingsRequestSchema,
  type ConversationListResponse,
} from '@parley/protocol';
import type { Caller } from '../client.js';
import type { ConversationRef } from '../conversation.js';

export interface ConversationSettings {
  readonly pinned?: boolean;
  readonly muted?: boolean;
  /** Delete for me: hidden until the next message. */
  readonly hide?: boolean;
}

/** The conversation list (unread counts, last message, pinned/muted) and its settings. */
export class ConversationsApi {
  constructor(private readonly caller: Caller) {}

  /** Pinned first, then by last message; hidden ones left out. */
  list(limit = 100): Promise<ConversationListResponse> {
    return this.caller.call(
      Command.CONVERSATIONS,
      ConversationListRequestSchema,
      { limit },
      ConversationListResponseSchema,
    );
  }

  /** Changes only the given settings. */
  update(conversation: ConversationRef, settings: ConversationSettings): Promise<void> {
    return this.caller.callEmpty(Command.CONVERSATION_SETTINGS, ConversationSettingsRequestSchema, {
      conversation,
      ...settings,
    });
  }

  pin(conversation: ConversationRef, pinned = true): Promise<void> {
    return this.update(conversation, { pinned });
  }

  mute(conversation: ConversationRef, muted = true): Promise<void> {
    return this.update(conversation, { muted });
  }

  hide(conversation: ConversationRef): Promise<void> {
    return this.update(conversation, { hide: true });
  }
}
