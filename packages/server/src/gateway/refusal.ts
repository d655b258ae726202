import type { Socket } from 'node:net';
import type { Status } from '@parley/protocol';
import type { ConnectionsPerAddress } from './address-limits.js';
import { detectDialect } from './dialect.js';
import type { NativeGateway } from './native/native-gateway.js';
import { TcpByteStream } from './tcp-byte-stream.js';

/** How long a refused connection may take to show its dialect before it is dropped unanswered. */
const REFUSAL_SNIFF_MS = 1000;
/** Bytes read while waiting for the dialect (as the gateway's own detection). */
const MAX_SNIFF_BYTES = 64;

/**
 * A socket from a TCP or TLS listener: counted per address and handed to the gateway's dialect
 * detection, or, over the address's limit, refused in its own dialect (the close notice with
 * RATE_LIMITED: DISCONNECT, A999, an IMTP notice, ERR) as soon as its first bytes tell which.
 */
export function acceptSocket(
  socket: Socket,
  gateway: NativeGateway,
  perAddress: ConnectionsPerAddress | undefined,
  refusal: { readonly status: Status; readonly reason: string },
): void {
  const address = socket.remoteAddress ?? '';
  if (perAddress === undefined || perAddress.tryOpen(address)) {
    if (perAddress !== undefined) {
      socket.once('close', () => {
        perAddress.closed(address);
      });
    }
    gateway.acceptDetecting(new TcpByteStream(socket));
    return;
  }
  socket.on('error', () => undefined);
  const timer = setTimeout(() => socket.destroy(), REFUSAL_SNIFF_MS);
  timer.unref();
  let prefix = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    prefix = Buffer.concat([prefix, chunk]);
    const detected = detectDialect(prefix);
    if (detected === 'need-more' && prefix.length < MAX_SNIFF_BYTES) return;
    socket.off('data', onData);
    clearTimeout(timer);
    if (detected === 'need-more' || detected === 'unknown' || !gateway.serves(detected)) {
      socket.destroy();
      return;
    }
    socket.pause();
    gateway.accept(new TcpByteStream(socket), detected).close(refusal.status, refusal.reason);
  };
  socket.on('data', onData);
}
