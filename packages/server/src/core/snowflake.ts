/**
 * 64-bit snowflake ids: 41 bits of milliseconds since EPOCH_MS, 10 bits of worker id, 12 bits of
 * sequence. Ids from one generator are strictly increasing; generators with different worker ids
 * never collide. If the clock steps back, the generator keeps using its last timestamp (borrowing
 * sequence numbers) rather than issuing an id that could repeat.
 */
export const SNOWFLAKE_EPOCH_MS = Date.UTC(2024, 0, 1);
export const MAX_WORKER_ID = 1023;
const SEQUENCE_BITS = 12n;
const WORKER_BITS = 10n;
const MAX_SEQUENCE = 4095;

export interface IdGenerator {
  next(): bigint;
}

export class SnowflakeGenerator implements IdGenerator {
  readonly workerId: number;
  private lastMs = -1;
  private sequence = 0;
  private readonly now: () => number;

  constructor(workerId: number, now: () => number = Date.now) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
      throw new RangeError(`worker id must be an integer in [0, ${MAX_WORKER_ID}]`);
    }
    this.workerId = workerId;
    this.now = now;
  }

  next(): bigint {
    // A clock before the epoch would make a negative id: such a machine counts from the epoch.
    let ms = Math.max(this.now() - SNOWFLAKE_EPOCH_MS, this.lastMs, 0);
    if (ms === this.lastMs) {
      this.sequence += 1;
      if (this.sequence > MAX_SEQUENCE) {
        // Sequence space for this millisecond is spent: move to the next one.
        ms += 1;
        this.sequence = 0;
      }
    } else {
      this.sequence = 0;
    }
    this.lastMs = ms;
    return (
      (BigInt(ms) << (WORKER_BITS + SEQUENCE_BITS)) |
      (BigInt(this.workerId) << SEQUENCE_BITS) |
      BigInt(this.sequence)
    );
  }
}

export function snowflakeTime(id: bigint): number {
  return Number(id >> (WORKER_BITS + SEQUENCE_BITS)) + SNOWFLAKE_EPOCH_MS;
}
