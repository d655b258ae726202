import type { Endpoint } from '../clients/endpoint.js';
import { nowMs, sleep, sleepUntil } from '../util/clock.js';
import { encodeHistogram, newHistogram, recordMs, type Histogram } from '../util/histogram.js';
import { makePayload, readStamp, type Stamp } from '../wire/payload.js';

export interface FanoutReport {
  readonly expected: number;
  readonly received: number;
  /** Per message index: deliveries in this process, and the time of the last one (0 if none). */
  readonly counts: number[];
  readonly lastAt: number[];
  /** Every delivery's latency, send → receipt (encoded histogram). */
  readonly latency: string;
  /** Deliveries whose payload was not a benchmark message (e.g. a group-created notice). */
  readonly foreign: number;
}

/** The member side of a fan-out round: every member endpoint in this process counts deliveries. */
export class FanoutListener {
  private readonly counts: number[];
  private readonly lastAt: number[];
  private readonly latency: Histogram = newHistogram();
  private received = 0;
  private foreign = 0;
  private readonly expected: number;

  constructor(
    private readonly members: readonly Endpoint[],
    messages: number,
  ) {
    this.counts = new Array<number>(messages).fill(0);
    this.lastAt = new Array<number>(messages).fill(0);
    this.expected = members.length * messages;
    const stamp: Stamp = { sentAt: 0, index: 0 };
    for (const m of members) {
      m.onPayload = (payload) => {
        const now = nowMs();
        if (!readStamp(payload, stamp) || stamp.index >= messages) {
          this.foreign++;
          return;
        }
        this.received++;
        this.counts[stamp.index] = (this.counts[stamp.index] ?? 0) + 1;
        if (now > (this.lastAt[stamp.index] ?? 0)) this.lastAt[stamp.index] = now;
        recordMs(this.latency, now - stamp.sentAt);
      };
    }
  }

  /** Resolves when every member has every message, or at the timeout. */
  async wait(timeoutMs: number): Promise<FanoutReport> {
    const deadline = Date.now() + timeoutMs;
    while (this.received < this.expected && Date.now() < deadline) await sleep(5);
    for (const m of this.members) m.onPayload = undefined;
    return {
      expected: this.expected,
      received: this.received,
      counts: this.counts,
      lastAt: this.lastAt,
      latency: encodeHistogram(this.latency),
      foreign: this.foreign,
    };
  }
}

export interface FanoutSendArgs {
  readonly from: string;
  readonly group: string;
  readonly count: number;
  /** Messages per second; the sender stamps each with its due time. */
  readonly rate: number;
  readonly startAt: number;
  readonly payloadBytes: number;
  readonly acked: boolean;
  readonly ackTimeoutMs: number;
}

export interface FanoutSendResult {
  readonly sent: number;
  readonly acked: number;
  readonly ackErrors: number;
  /** Due time of each message, by index. */
  readonly sentAt: number[];
}

export async function sendToGroup(sender: Endpoint, args: FanoutSendArgs): Promise<FanoutSendResult> {
  const interval = 1000 / args.rate;
  const sentAt: number[] = [];
  let acked = 0;
  let ackErrors = 0;
  await sleepUntil(args.startAt);
  let k = 0;
  while (k < args.count) {
    const due = Math.min(args.count, Math.floor((nowMs() - args.startAt) / interval) + 1);
    for (; k < due; k++) {
      const at = args.startAt + k * interval;
      sentAt.push(at);
      sender.sendGroup(
        args.group,
        makePayload(at, k, args.payloadBytes),
        args.acked
          ? (ok) => {
              if (ok) acked++;
              else ackErrors++;
            }
          : undefined,
      );
    }
    if (k < args.count) await sleep(1);
  }
  const deadline = Date.now() + args.ackTimeoutMs;
  while (args.acked && acked + ackErrors < args.count && Date.now() < deadline) await sleep(5);
  return { sent: k, acked, ackErrors, sentAt };
}
