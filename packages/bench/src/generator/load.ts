import type { Endpoint } from '../clients/endpoint.js';
import { nowMs, sleep, sleepUntil } from '../util/clock.js';
import { encodeHistogram, newHistogram, recordMs } from '../util/histogram.js';
import { makePayload, readStamp, type Stamp } from '../wire/payload.js';

export interface LoadArgs {
  /** Sender → receiver, both endpoints of this process; a receiver has one sender. */
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
  /** Messages per second this process offers; 0 = closed loop with `window` in flight per pair. */
  readonly rate: number;
  readonly window: number;
  /** When sending starts (ms since the epoch), the same for every generator of a step. */
  readonly startAt: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How long to wait after the last send for outstanding deliveries and acks. */
  readonly drainMs: number;
  readonly payloadBytes: number;
  /** Whether the system acknowledges sends (wait for and time the acks). */
  readonly acked: boolean;
}

export interface LoadResult {
  /** Messages due in the measurement window at the offered rate (0 in closed loop). */
  readonly offered: number;
  readonly sent: number;
  readonly acked: number;
  readonly ackErrors: number;
  readonly delivered: number;
  /** Sent with an intended time inside the measurement window. */
  readonly windowSent: number;
  /** Deliveries that happened inside the measurement window. */
  readonly windowDelivered: number;
  readonly windowMs: number;
  /** Deliveries whose per-pair index was not the next one (lost, duplicated or reordered). */
  readonly outOfOrder: number;
  /** Send → receipt, from the intended send time (no coordinated omission), encoded histogram. */
  readonly latency: string;
  /** Send → ack (for Parley: persisted), or null when the system does not acknowledge. */
  readonly ackLatency: string | null;
  /** This generator's CPU time during the step. */
  readonly cpuMs: number;
}

interface PairState {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly address: string;
  nextIndex: number;
  lastReceived: number;
}

/**
 * One load step. Open loop (rate > 0): message k is due at startAt + k/rate and carries that time,
 * so a system that falls behind shows it as latency instead of quietly being offered less; if
 * more than two seconds of traffic are outstanding the sender holds back (the step then reports
 * sent < offered). Closed loop (rate 0): each pair keeps `window` messages undelivered.
 */
export async function runLoad(endpoints: ReadonlyMap<string, Endpoint>, args: LoadArgs): Promise<LoadResult> {
  const get = (name: string) => {
    const e = endpoints.get(name);
    if (e === undefined) throw new Error(`no endpoint ${name} in this generator`);
    return e;
  };
  const pairs: PairState[] = args.pairs.map((p) => {
    const to = get(p.to);
    return { from: get(p.from), to, address: to.address, nextIndex: 0, lastReceived: -1 };
  });
  if (pairs.length === 0) throw new Error('a load step needs pairs');
  const closedLoop = args.rate <= 0;
  const latency = newHistogram();
  const ackLatency = args.acked ? newHistogram() : undefined;
  const measureFrom = args.startAt + args.warmupMs;
  const measureTo = measureFrom + args.durationMs;
  let sent = 0;
  let acked = 0;
  let ackErrors = 0;
  let delivered = 0;
  let windowSent = 0;
  let windowDelivered = 0;
  let outOfOrder = 0;
  let sending = true;
  const stamp: Stamp = { sentAt: 0, index: 0 };
  const inWindow = (t: number) => t >= measureFrom && t < measureTo;

  const sendOne = (p: PairState, intended: number) => {
    const payload = makePayload(intended, p.nextIndex++, args.payloadBytes);
    sent++;
    if (inWindow(intended)) windowSent++;
    p.from.send(
      p.address,
      payload,
      ackLatency === undefined
        ? undefined
        : (ok) => {
            if (ok) acked++;
            else ackErrors++;
            if (inWindow(intended)) recordMs(ackLatency, nowMs() - intended);
          },
    );
  };

  for (const p of pairs) {
    p.to.onPayload = (payload) => {
      const now = nowMs();
      // A straggler of an earlier step (one that did not drain in time) is not this step's. The
      // stamp has millisecond decimals, rounded: the step's first message may read just below startAt.
      if (!readStamp(payload, stamp) || stamp.sentAt < args.startAt - 1) return;
      delivered++;
      if (stamp.index !== p.lastReceived + 1) outOfOrder++;
      p.lastReceived = stamp.index;
      if (inWindow(stamp.sentAt)) recordMs(latency, now - stamp.sentAt);
      if (inWindow(now)) windowDelivered++;
      if (closedLoop && sending && now < measureTo) sendOne(p, now);
    };
  }

  const cpuBefore = process.cpuUsage();
  await sleepUntil(args.startAt);
  let offered = 0;
  if (closedLoop) {
    const t = nowMs();
    for (const p of pairs) for (let i = 0; i < args.window; i++) sendOne(p, t);
    await sleepUntil(measureTo);
  } else {
    const interval = 1000 / args.rate;
    const maxOutstanding = Math.max(1000, Math.min(50_000, args.rate * 2));
    offered = Math.floor(args.durationMs / interval);
    let k = 0;
    for (;;) {
      const now = nowMs();
      if (now >= measureTo) break;
      const due = Math.floor((now - args.startAt) / interval) + 1;
      while (k < due && sent - delivered < maxOutstanding) {
        const p = pairs[k % pairs.length];
        if (p === undefined) break;
        sendOne(p, args.startAt + k * interval);
        k++;
      }
      await sleep(1);
    }
  }
  sending = false;
  const drainUntil = Date.now() + args.drainMs;
  while (Date.now() < drainUntil) {
    if (delivered >= sent && (!args.acked || acked + ackErrors >= sent)) break;
    await sleep(10);
  }
  const cpu = process.cpuUsage(cpuBefore);
  for (const p of pairs) p.to.onPayload = undefined;
  return {
    offered,
    sent,
    acked,
    ackErrors,
    delivered,
    windowSent,
    windowDelivered,
    windowMs: args.durationMs,
    outOfOrder,
    latency: encodeHistogram(latency),
    ackLatency: ackLatency === undefined ? null : encodeHistogram(ackLatency),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
