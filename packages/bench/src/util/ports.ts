import { createServer } from 'node:net';

/** A TCP port that was free a moment ago (bind port 0, read it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Loopback source addresses 127.0.0.2, 127.0.0.3, ... (each has its own ~28k ephemeral ports). */
export function loopbackSources(count: number): string[] {
  if (count < 1 || count > 250) throw new RangeError('between 1 and 250 loopback source addresses');
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}
