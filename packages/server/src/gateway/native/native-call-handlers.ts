import { CallSignalSchema, Command } from '@parley/protocol';
import type { Dispatcher, GatewayConnection } from '../dispatcher.js';
import { decode, type NativeReply } from './native-codec.js';

/** CALL (51): a device's call signal; the peer's devices get it as a notify. */
export async function handleCallRequest(
  dispatcher: Dispatcher,
  conn: GatewayConnection,
  command: number,
  body: Uint8Array,
): Promise<NativeReply | undefined> {
  if (command !== Command.CALL) return undefined;
  const session = dispatcher.requireSession(conn);
  const req = decode(CallSignalSchema, body);
  await dispatcher.calls.signal(session, {
    callId: req.callId,
    peerId: req.peerId,
    kind: req.kind,
    media: req.media,
    payload: req.payload,
  });
  return { body: new Uint8Array(0) };
}
