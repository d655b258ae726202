import type { CallState, CallStateStore } from '../../core/call-state.js';
import type { RedisConnection } from './redis-connection.js';

// Creates the call unless the id is taken, with its TTL, in one step.
const BEGIN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'callerId', ARGV[2], 'calleeId', ARGV[3], 'media', ARGV[4], 'startedAt', ARGV[5], 'answeredAt', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1`;

// Sets answeredAt once and extends the TTL; nil when the call is gone.
const ANSWER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if redis.call('HGET', KEYS[1], 'answeredAt') == '0' then redis.call('HSET', KEYS[1], 'answeredAt', ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('HGETALL', KEYS[1])`;

// Read and delete in one step: of racing enders exactly one sees the call.
const END = `
if ARGV[1] == '1' and redis.call('HGET', KEYS[1], 'answeredAt') ~= '0' then return {} end
local v = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return v`;

/** Calls in progress as Redis hashes with a TTL. */
export class RedisCallStateStore implements CallStateStore {
  constructor(private readonly redis: RedisConnection) {}

  async begin(call: CallState, ttlMs: number): Promise<boolean> {
    const created = await this.redis.command.eval(
      BEGIN,
      1,
      this.key(call.callId),
      call.callId,
      String(call.callerId),
      String(call.calleeId),
      call.media,
      call.startedAt,
      call.answeredAt,
      ttlMs,
    );
    return created === 1;
  }

  async get(callId: string): Promise<CallState | undefined> {
    return parse(await this.redis.command.hgetall(this.key(callId)));
  }

  async answer(callId: string, at: number, ttlMs: number): Promise<CallState | undefined> {
    const flat = (await this.redis.command.eval(ANSWER, 1, this.key(callId), at, ttlMs)) as string[] | null;
    return flat === null ? undefined : parse(pairs(flat));
  }

  async end(callId: string, onlyUnanswered = false): Promise<CallState | undefined> {
    const flat = (await this.redis.command.eval(
      END,
      1,
      this.key(callId),
      onlyUnanswered ? '1' : '0',
    )) as string[];
    return parse(pairs(flat));
  }

  private key(callId: string): string {
    return this.redis.key('call', callId);
  }
}

function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] ?? ''] = flat[i + 1] ?? '';
  return out;
}

function parse(h: Record<string, string>): CallState | undefined {
  const { callId, callerId, calleeId, media, startedAt, answeredAt } = h;
  if (
    callId === undefined ||
    callerId === undefined ||
    calleeId === undefined ||
    media === undefined ||
    startedAt === undefined ||
    answeredAt === undefined
  ) {
    return undefined;
  }
  return {
    callId,
    callerId: BigInt(callerId),
    calleeId: BigInt(calleeId),
    media,
    startedAt: Number(startedAt),
    answeredAt: Number(answeredAt),
  };
}
