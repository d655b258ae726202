/**
 * The ceiling for a Node.js process: a TCP relay that reads one hello frame per connection
 * ({name, to | group | join}) and from then on forwards whatever bytes arrive, unparsed and
 * unstored, to the named peer socket (with backpressure) or to every member of a group (encode
 * once, write many). Each receiver must have a single source, since chunks are not re-framed.
 *
 * Run as its own process: BENCH_PORT.
 */
import { createServer, type Socket } from 'node:net';
import { RELAY_READY, type RelayHello } from '../wire/length-prefixed.js';

const port = Number(process.env['BENCH_PORT']);
const byName = new Map<string, Socket>();
const groups = new Map<string, Set<Socket>>();
const MAX_HELLO = 4096;

function routeOf(hello: RelayHello, socket: Socket): (chunk: Buffer) => void {
  if (hello.to !== undefined) {
    const to = hello.to;
    return (chunk) => {
      const peer = byName.get(to);
      if (peer !== undefined && !peer.write(chunk)) {
        socket.pause();
        peer.once('drain', () => socket.resume());
      }
    };
  }
  if (hello.group !== undefined) {
    const members = groups.get(hello.group) ?? new Set<Socket>();
    groups.set(hello.group, members);
    return (chunk) => {
      for (const m of members) m.write(chunk);
    };
  }
  return () => undefined;
}

const server = createServer({ noDelay: true }, (socket) => {
  let pending = Buffer.alloc(0);
  let forward: ((chunk: Buffer) => void) | undefined;
  let name = '';
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    if (forward !== undefined) {
      forward(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    if (pending.length < 4) return;
    const len = pending.readUInt32BE(0);
    if (len > MAX_HELLO) {
      socket.destroy();
      return;
    }
    if (pending.length < 4 + len) return;
    let hello: RelayHello;
    try {
      hello = JSON.parse(pending.subarray(4, 4 + len).toString()) as RelayHello;
    } catch {
      socket.destroy();
      return;
    }
    name = hello.name;
    byName.set(name, socket);
    if (hello.join !== undefined) {
      const members = groups.get(hello.join) ?? new Set<Socket>();
      groups.set(hello.join, members);
      members.add(socket);
    }
    forward = routeOf(hello, socket);
    socket.write(Buffer.of(RELAY_READY));
    const rest = pending.subarray(4 + len);
    pending = Buffer.alloc(0);
    if (rest.length > 0) forward(rest);
  });
  socket.on('close', () => {
    if (byName.get(name) === socket) byName.delete(name);
    for (const members of groups.values()) members.delete(socket);
  });
});

server.listen(port, '127.0.0.1', () => {
  process.send?.({ ready: true });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
