import { ContentType, type Message, type SendResult } from '@parley/protocol';
import type { SendOptions } from '../api/messages.js';
import type { ParleyClient } from '../client.js';
import { direct } from '../conversation.js';
import { Emitter } from '../emitter.js';
import {
  E2eError,
  openContent,
  sealContent,
  type E2eContentInit,
  type E2eRecipientKey,
} from './e2e-envelope.js';
import type { E2eKeyPair } from './e2e-keys.js';
import { KeyDirectory, type PublishedKey } from './key-directory.js';

export interface EndToEndOptions {
  /** The server's HTTP base URL, where the keys are published (e.g. `http://host:8080`). */
  readonly httpUrl: string;
  /** This user's key pair (the same on every device of the user). */
  readonly keys: E2eKeyPair;
  /** How long a peer's current key is reused before asking again. Default 60 000 ms. */
  readonly currentKeyTtlMs?: number;
  readonly fetch?: typeof fetch;
}

export interface E2eMessageEvent {
  /** The message; an end-to-end one carries its decrypted content (unless `error`). */
  readonly message: Message;
  /** It arrived end-to-end encrypted. */
  readonly encrypted: boolean;
  /** Why an encrypted message could not be read (its content stays ENCRYPTED). */
  readonly error?: Error;
}

interface E2eEvents {
  message: E2eMessageEvent;
  /** A handler threw. */
  error: { readonly error: unknown };
}

/**
 * End-to-end encryption between users over a ParleyClient (docs/security.md): the server stores
 * and forwards the ciphertext and never holds a key that opens it. Direct conversations only.
 *
 *   const e2e = new EndToEnd(client, { httpUrl, keys: await generateE2eKeyPair() });
 *   await e2e.publish();
 *   e2e.on('message', ({ message }) => show(message));   // every message, decrypted when it was
 *   await e2e.sendText(peerId, 'only you can read this');
 */
export class EndToEnd {
  readonly directory: KeyDirectory;
  private readonly emitter = new Emitter<E2eEvents>((error, event) => {
    if (event !== 'error') this.emitter.emit('error', { error });
  });
  /** Decryption is asynchronous; messages still reach handlers in the client's order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly client: ParleyClient,
    private readonly options: EndToEndOptions,
  ) {
    this.directory = new KeyDirectory({
      httpUrl: options.httpUrl,
      token: () => client.token,
      ...(options.currentKeyTtlMs === undefined ? {} : { currentKeyTtlMs: options.currentKeyTtlMs }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    this.unsubscribe = client.on('message', (message) => {
      this.chain = this.chain.then(() => this.deliver(message));
    });
  }

  /** Publishes this user's public key (the client must be logged in). */
  publish(): Promise<PublishedKey> {
    return this.directory.publish(this.options.keys.publicKey);
  }

  /** Encrypts `content` for `peer` (and this user's own devices) and sends it. */
  async send(peer: bigint, content: E2eContentInit, options: SendOptions = {}): Promise<SendResult> {
    const me = this.me();
    const own: E2eRecipientKey = {
      userId: me,
      publicKey: this.options.keys.publicKey,
      keyId: this.options.keys.keyId,
    };
    const recipients: E2eRecipientKey[] = [own];
    if (peer !== me) {
      const key = await this.directory.currentKey(peer);
      recipients.unshift({ userId: peer, publicKey: key.publicKey, keyId: key.keyId });
    }
    const ciphertext = await sealContent(content, this.options.keys, recipients);
    return this.client.messages.send(
      direct(peer),
      { contentType: ContentType.ENCRYPTED, ciphertext },
      options,
    );
  }

  sendText(peer: bigint, text: string, options: SendOptions = {}): Promise<SendResult> {
    return this.send(peer, { contentType: ContentType.TEXT, text }, options);
  }

  /** The message with its end-to-end content decrypted (others unchanged); E2eError if it cannot be. */
  async decrypt(message: Message): Promise<Message> {
    const content = message.messageContent;
    if (content?.contentType !== ContentType.ENCRYPTED) return message;
    const inner = await openContent(content.ciphertext, {
      userId: this.me(),
      keys: this.options.keys,
      senderKey: async (keyId) => (await this.directory.keyById(message.senderId, keyId)).publicKey,
    });
    if (inner.contentType === ContentType.ENCRYPTED) throw new E2eError('an envelope inside an envelope');
    return { ...message, messageContent: inner };
  }

  /** `message`: every message the client delivers, in order, end-to-end ones decrypted. */
  on<K extends keyof E2eEvents>(event: K, handler: (payload: E2eEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** Stops following the client. */
  close(): void {
    this.unsubscribe();
  }

  private me(): bigint {
    const me = this.client.userId;
    if (me === undefined) throw new E2eError('log in before using end-to-end encryption');
    return me;
  }

  private async deliver(message: Message): Promise<void> {
    if (message.messageContent?.contentType !== ContentType.ENCRYPTED) {
      this.emitter.emit('message', { message, encrypted: false });
      return;
    }
    try {
      this.emitter.emit('message', { message: await this.decrypt(message), encrypted: true });
    } catch (err) {
      this.emitter.emit('message', {
        message,
        encrypted: true,
        error: err instanceof Error ? err : new Error(String(err)),
      });
    }
  }
}
