/**
 * The Socket.IO chat relay a Node.js developer would write instead of Parley: a user is a socket
 * named at the handshake; `m` (to, text, ack) emits to that user's socket, `g` (room, text, ack)
 * broadcasts to a room, `join` (room, ack) joins one. Nothing is stored. Clustered (a Redis URL
 * given), users are rooms and every emit goes through @socket.io/redis-adapter, so a user on
 * another node is reached.
 *
 * Run as its own process: BENCH_PORT, BENCH_PING_INTERVAL_MS, BENCH_REDIS_URL, BENCH_REDIS_KEY.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';

const port = Number(process.env['BENCH_PORT']);
const pingInterval = Number(process.env['BENCH_PING_INTERVAL_MS'] ?? '25000');
const redisUrl = process.env['BENCH_REDIS_URL'] ?? '';
const clustered = redisUrl !== '';

type Ack = (() => void) | undefined;

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  pingInterval,
  pingTimeout: 60_000,
});
if (clustered) {
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub, { key: process.env['BENCH_REDIS_KEY'] ?? 'socket.io-bench' }));
}

const byName = new Map<string, Socket>();

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { name?: unknown };
  const name = typeof auth.name === 'string' ? auth.name : socket.id;
  byName.set(name, socket);
  if (clustered) void socket.join(name);
  socket.on('m', (to: string, text: string, ack: Ack) => {
    if (clustered) io.to(to).emit('m', text);
    else byName.get(to)?.emit('m', text);
    if (typeof ack === 'function') ack();
  });
  socket.on('g', (room: string, text: string, ack: Ack) => {
    io.to(room).emit('m', text);
    if (typeof ack === 'function') ack();
  });
  socket.on('join', (room: string, ack: Ack) => {
    void socket.join(room);
    if (typeof ack === 'function') ack();
  });
  socket.on('disconnect', () => {
    if (byName.get(name) === socket) byName.delete(name);
  });
});

http.listen(port, '127.0.0.1', () => {
  process.send?.({ ready: true });
});
process.on('SIGTERM', () => {
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
process.on('disconnect', () => process.exit(0));
