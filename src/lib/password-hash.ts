import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Password hashing for the toolbox's own local accounts, with scrypt: memory-hard, so guessing
 * on GPUs is expensive, and built into node:crypto (no native dependency).
 *
 * Stored as `scrypt$N$r$p$saltB64$hashB64`. The parameters travel with each hash, so they can
 * be raised later without invalidating the hashes already stored.
 */

const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/**
 * Bounds for parameters read back from a stored string. A stored value is data, not code: without
 * limits a corrupted or planted row could ask for gigabytes of memory or minutes of CPU.
 */
const LIMITS = { maxLogN: 20, maxR: 32, maxP: 16, minSalt: 8, maxSalt: 64, minKey: 16, maxKey: 64 };

/**
 * scrypt needs about 128 × N × r bytes (32 MiB here), and Node refuses anything above `maxmem`,
 * whose default is exactly 32 MiB; leave headroom for the 128 × r × p block as well.
 */
function maxmemFor(N: number, r: number, p: number): number {
  return 128 * N * r + 128 * r * p + 1024 * 1024;
}

// The callback form runs on libuv's thread pool; scryptSync would stall every request for tens of milliseconds.
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;

export async function hashPassword(plain: string): Promise<string> {
  const { N, r, p } = PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(plain, salt, KEY_BYTES, { N, r, p, maxmem: maxmemFor(N, r, p) });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const POSITIVE_INT = /^[1-9][0-9]{0,9}$/;

type Parsed = { N: number; r: number; p: number; salt: Buffer; key: Buffer };

function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (![nText, rText, pText].every((text) => POSITIVE_INT.test(text))) return undefined;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return undefined;

  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // N must be a power of two greater than 1.
  if (N < 2 || N > 2 ** LIMITS.maxLogN || (N & (N - 1)) !== 0) return undefined;
  if (r > LIMITS.maxR || p > LIMITS.maxP) return undefined;

  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < LIMITS.minSalt || salt.length > LIMITS.maxSalt) return undefined;
  if (key.length < LIMITS.minKey || key.length > LIMITS.maxKey) return undefined;
  return { N, r, p, salt, key };
}

/** True when `plain` matches `stored`. A malformed or unsupported `stored` is a non-match, never an exception. */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = typeof stored === 'string' ? parse(stored) : undefined;
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  try {
    const candidate = await scryptAsync(plain, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r, p) });
    return timingSafeEqual(candidate, key);
  } catch {
    return false;
  }
}
