import type { UserId } from './types.js';

/** A call between two users, from invite to its end. */
export interface CallState {
  readonly callId: string;
  readonly callerId: UserId;
  readonly calleeId: UserId;
  /** "voice" or "video". */
  readonly media: string;
  readonly startedAt: number;
  /** 0 until the callee answered. */
  readonly answeredAt: number;
}

/**
 * Calls in progress, shared by every node (Redis in cluster mode, memory when alone): the two
 * parties' signals may pass through different nodes, and exactly one of them ends the call and
 * writes its record. Entries expire on their own, so a call whose devices vanished is forgotten.
 */
export interface CallStateStore {
  /** False when the call id is taken. */
  begin(call: CallState, ttlMs: number): Promise<boolean>;
  get(callId: string): Promise<CallState | undefined>;
  /** Marks the call answered (once); the state after, or undefined if it is gone. */
  answer(callId: string, at: number, ttlMs: number): Promise<CallState | undefined>;
  /**
   * Removes the call and returns it: of several racing enders exactly one gets it. With
   * `onlyUnanswered` an answered call is left alone (the ring timeout must not end a live call).
   */
  end(callId: string, onlyUnanswered?: boolean): Promise<CallState | undefined>;
}
