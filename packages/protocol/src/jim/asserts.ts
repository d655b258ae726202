import { BadRequestError } from '../errors.js';

/**
 * Small checks for untrusted JSON: each narrows `unknown` or throws a BadRequestError naming the
 * field. Keys are looked up as written and, failing that, with a trailing space: the seed's image
 * body spells some keys that way (`"size "`, `"big_url "`).
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function assertObject(value: unknown, what: string): asserts value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${what} must be a JSON object`);
  }
}

/** The value of `key` (or of `key + ' '`, the seed's spelling), undefined when absent or null. */
export function field(obj: JsonObject, key: string): unknown {
  const clean = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (clean !== undefined && clean !== null) return clean;
  const spaced = Object.hasOwn(obj, `${key} `) ? obj[`${key} `] : undefined;
  return spaced ?? undefined;
}

export function assertString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new BadRequestError(`${what} must be a string`);
}

export function assertFiniteNumber(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BadRequestError(`${what} must be a number`);
  }
}

/** A string field; absent → `fallback`. */
export function stringField(obj: JsonObject, key: string, fallback = ''): string {
  const value = field(obj, key);
  if (value === undefined) return fallback;
  assertString(value, key);
  return value;
}

/** A string field that must be present. */
export function requiredString(obj: JsonObject, key: string): string {
  const value = field(obj, key);
  if (value === undefined) throw new BadRequestError(`${key} is missing`);
  assertString(value, key);
  return value;
}

/**
 * An id field: a decimal string, or a non-negative safe integer number (some clients write ids
 * as numbers). Returned as a string; absent → ''.
 */
export function idField(obj: JsonObject, key: string): string {
  const value = field(obj, key);
  if (value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new BadRequestError(`${key} must be an id`);
    return String(value);
  }
  assertString(value, key);
  return value;
}

/** A finite number field; absent → `fallback`. */
export function numberField(obj: JsonObject, key: string, fallback = 0): number {
  const value = field(obj, key);
  if (value === undefined) return fallback;
  assertFiniteNumber(value, key);
  // -0 (JSON allows it) would not survive a round trip.
  return value + 0;
}

/** A number field that must be present. */
export function requiredNumber(obj: JsonObject, key: string): number {
  const value = field(obj, key);
  if (value === undefined) throw new BadRequestError(`${key} is missing`);
  assertFiniteNumber(value, key);
  return value + 0;
}

/** A non-negative integer field in [0, max]; absent → 0. */
export function countField(obj: JsonObject, key: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = numberField(obj, key);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new BadRequestError(`${key} must be an integer in [0, ${String(max)}]`);
  }
  return value;
}
