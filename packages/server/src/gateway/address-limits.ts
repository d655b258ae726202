/**
 * Open connections per client address on this node, over every listener (TCP, TLS, WebSocket):
 * a listener asks before it hands a connection to the gateway and reports its close. Node-local
 * on purpose: what one address can exhaust is this node's sockets. IPv4-mapped IPv6 addresses
 * count as their IPv4 form.
 */
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  /** `max` 0 means no limit. */
  constructor(readonly max: number) {}

  /** Counts a new connection from `address`; false (and not counted) when it is over the limit. */
  tryOpen(address: string): boolean {
    const key = normalize(address);
    const count = this.open.get(key) ?? 0;
    if (this.max > 0 && count >= this.max) return false;
    this.open.set(key, count + 1);
    return true;
  }

  /** A connection counted by `tryOpen` closed. */
  closed(address: string): void {
    const key = normalize(address);
    const count = this.open.get(key) ?? 0;
    if (count <= 1) this.open.delete(key);
    else this.open.set(key, count - 1);
  }

  /** Open connections from `address`. */
  count(address: string): number {
    return this.open.get(normalize(address)) ?? 0;
  }
}

function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
