import { create } from '@bufbuild/protobuf';
import {
  BadRequestError,
  Command,
  ContentType,
  LoginRequestSchema,
  LoginResponseSchema,
  LogoutResponseSchema,
  MessageSchema,
  PongSchema,
  PullRequestSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  SyncRequestSchema,
  SyncResponseSchema,
  UnknownCommandError,
} from '@parley/protocol';
import { PullDirection } from '../../core/types.js';
import type { Dispatcher, GatewayConnection } from '../dispatcher.js';
import {
  decode,
  reply as encode,
  ref,
  seqNumber,
  soleEmbeddedField,
  type NativeReply,
} from './native-codec.js';
import { handleFeatureRequest } from './native-feature-handlers.js';
import { handleWalletRequest } from './native-wallet-handlers.js';
import { handleCallRequest } from './native-call-handlers.js';
import { handleSocialRequest } from './native-social-handlers.js';
import { encodePullResponse, stateToWire } from './native-wire.js';
import { writeSendResult } from './send-result-writer.js';

export type { NativeReply };

/** `Message.message_content`. */
const MESSAGE_CONTENT_FIELD = 2;

/** What the frame's header said about the body. */
export interface RequestFlags {
  /** Encryption bits 3: an MS whose content is end-to-end (ENCRYPTED), which the server never reads. */
  readonly endToEnd?: boolean;
}

/** Native command → dispatcher call → native response body. */
export async function handleNativeRequest(
  dispatcher: Dispatcher,
  conn: GatewayConnection,
  command: number,
  body: Uint8Array,
  flags: RequestFlags = {},
): Promise<NativeReply> {
  if (flags.endToEnd === true && command !== Command.MS) {
    throw new BadRequestError('the end-to-end flag (encryption 3) is for MS only');
  }
  switch (command) {
    case Command.REGISTER: {
      const req = decode(RegisterRequestSchema, body);
      const user = await dispatcher.register(req.username, req.password, req.displayName);
      return encode(
        RegisterResponseSchema,
        create(RegisterResponseSchema, { userId: user.id, username: user.username }),
      );
    }
    case Command.LOGIN: {
      const req = decode(LoginRequestSchema, body);
      const credentials =
        req.token !== ''
          ? ({ kind: 'token', token: req.token } as const)
          : ({ kind: 'password', username: req.username, password: req.password } as const);
      const login = await dispatcher.login(conn, {
        credentials,
        deviceId: req.deviceId,
        platform: req.platform,
      });
      return encode(
        LoginResponseSchema,
        create(LoginResponseSchema, {
          userId: login.user.id,
          token: login.token,
          serverTime: BigInt(Date.now()),
          tokenExpiresAt: BigInt(login.expiresAt),
          username: login.user.username,
          displayName: login.user.displayName,
        }),
      );
    }
    case Command.LOGOUT:
      await dispatcher.logout(conn);
      return { ...encode(LogoutResponseSchema, create(LogoutResponseSchema)), closeAfter: true };
    case Command.PING:
      return encode(PongSchema, create(PongSchema, { serverTime: BigInt(dispatcher.ping()) }));
    case Command.MS: {
      dispatcher.requireSession(conn);
      const req = decode(MessageSchema, body);
      const conversation = ref(req.conversation);
      if (flags.endToEnd === true && req.messageContent?.contentType !== ContentType.ENCRYPTED) {
        throw new BadRequestError('the end-to-end flag needs ENCRYPTED content (content type 14)');
      }
      const { result } = await dispatcher.send(conn, {
        conversation,
        clientMsgId: req.clientMsgId,
        content: req.messageContent,
        contentBytes: soleEmbeddedField(body, MESSAGE_CONTENT_FIELD),
      });
      return {
        body: writeSendResult({
          messageId: result?.message.id ?? 0n,
          seq: result?.message.seq ?? 0,
          serverTime: result?.message.serverTime ?? Date.now(),
          clientMsgId: req.clientMsgId,
          conversation,
          duplicate: result?.duplicate ?? false,
        }),
      };
    }
    case Command.MP: {
      const session = dispatcher.requireSession(conn);
      const req = decode(PullRequestSchema, body);
      const outcome = await dispatcher.pull(conn, {
        conversation: ref(req.conversation),
        fromSeq: seqNumber(req.fromSeq),
        limit: req.limit,
        direction: req.backward ? PullDirection.BACKWARD : PullDirection.FORWARD,
      });
      return { body: encodePullResponse(outcome.messages, session.userId, outcome.hasMore, outcome.maxSeq) };
    }
    case Command.SYNC: {
      const session = dispatcher.requireSession(conn);
      const req = decode(SyncRequestSchema, body);
      if (req.cursors.length > 10_000) throw new BadRequestError('at most 10000 cursors per sync');
      const states = await dispatcher.sync(
        conn,
        req.cursors.map((c) => ({ conversation: ref(c.conversation), seq: seqNumber(c.seq) })),
      );
      return encode(
        SyncResponseSchema,
        create(SyncResponseSchema, {
          conversations: states.map((s) => stateToWire(s, session.userId)),
          serverTime: BigInt(Date.now()),
        }),
      );
    }
    case Command.MN:
    case Command.MPS:
    case Command.KICK:
    case Command.DISCONNECT:
    case Command.PRESENCE:
    case Command.CONTACT_NOTICE:
      dispatcher.requireSession(conn);
      throw new BadRequestError('this command is sent by the server only');
    default: {
      const handled =
        (await handleFeatureRequest(dispatcher, conn, command, body)) ??
        (await handleSocialRequest(dispatcher, conn, command, body)) ??
        (await handleWalletRequest(dispatcher, conn, command, body)) ??
        (await handleCallRequest(dispatcher, conn, command, body));
      // Unknown commands are reported before authentication is checked: the client needs to know.
      if (handled === undefined) throw new UnknownCommandError(`unknown command ${command}`);
      return handled;
    }
  }
}
