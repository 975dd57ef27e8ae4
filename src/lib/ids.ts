import { createHash, randomBytes } from 'node:crypto';

/**
 * Unguessable identifiers: 128 bits of randomness, base64url. Launch and execution ids appear in
 * URLs, so they must not be enumerable; they carry no personal data.
 */
export function newId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** A secret token (session cookie, CSRF token, API token): 256 bits. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps instead of a bearer token, so a database dump grants no session. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
