import { gunzipSync, gzipSync, constants } from 'node:zlib';
import { BadCompressionError, TooLargeError } from './errors.js';

/**
 * Bounded gunzip: a body may not inflate past `maxLength` (no gzip bombs). zlib stops producing
 * output at the bound, so memory never exceeds it.
 */
export function gunzipBounded(body: Uint8Array, maxLength: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = gunzipSync(body, { maxOutputLength: Math.max(1, maxLength) });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TooLargeError(`decompressed body exceeds the limit of ${String(maxLength)} bytes`);
    }
    throw new BadCompressionError('body is not valid gzip');
  }
  // zlib's maxOutputLength must be >= 1, so a bound of 0 is enforced here.
  if (out.length > maxLength) {
    throw new TooLargeError(`decompressed body exceeds the limit of ${String(maxLength)} bytes`);
  }
  return out;
}

export function gzip(body: Uint8Array): Uint8Array {
  return gzipSync(body, { level: constants.Z_DEFAULT_COMPRESSION });
}
