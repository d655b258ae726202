import type { CallState, CallStateStore } from '../../core/call-state.js';

/** Calls in progress in one process. */
export class MemoryCallStateStore implements CallStateStore {
  private readonly calls = new Map<string, { call: CallState; expiresAt: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxCalls = 100_000,
  ) {}

  begin(call: CallState, ttlMs: number): Promise<boolean> {
    this.sweep();
    if (this.live(call.callId) !== undefined || this.calls.size >= this.maxCalls)
      return Promise.resolve(false);
    this.calls.set(call.callId, { call, expiresAt: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  get(callId: string): Promise<CallState | undefined> {
    return Promise.resolve(this.live(callId));
  }

  answer(callId: string, at: number, ttlMs: number): Promise<CallState | undefined> {
    const call = this.live(callId);
    if (call === undefined) return Promise.resolve(undefined);
    const answered = call.answeredAt === 0 ? { ...call, answeredAt: at } : call;
    this.calls.set(callId, { call: answered, expiresAt: this.now() + ttlMs });
    return Promise.resolve(answered);
  }

  end(callId: string, onlyUnanswered = false): Promise<CallState | undefined> {
    const call = this.live(callId);
    if (call === undefined || (onlyUnanswered && call.answeredAt !== 0)) return Promise.resolve(undefined);
    this.calls.delete(callId);
    return Promise.resolve(call);
  }

  private live(callId: string): CallState | undefined {
    const entry = this.calls.get(callId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.calls.delete(callId);
      return undefined;
    }
    return entry.call;
  }

  private sweep(): void {
    if (this.calls.size < this.maxCalls) return;
    const now = this.now();
    for (const [id, entry] of this.calls) if (entry.expiresAt <= now) this.calls.delete(id);
  }
}
