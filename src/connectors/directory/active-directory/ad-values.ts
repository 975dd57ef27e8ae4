/**
 * Active Directory's own value formats, converted once here: the binary objectGUID and objectSid,
 * FILETIME dates, userAccountControl bits and the `unicodePwd` encoding
 * (../shared/reference/active-directory-ldap.md §3–§4).
 */

/** userAccountControl bits the toolbox reads or changes (read-modify-write, never a constant). */
export const UAC = {
  accountDisable: 0x2,
  lockout: 0x10,
  passwordNotRequired: 0x20,
  normalAccount: 0x200,
  dontExpirePassword: 0x10000,
} as const;

/**
 * objectGUID's 16 bytes as the GUID string AD tools show. The first three groups are stored
 * little-endian (the Windows GUID layout), the last two as they are.
 */
export function guidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error(`objectGUID has ${bytes.length} bytes, not 16`);
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Array.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).map((byte) => byte.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/** The inverse of {@link guidFromBytes}; null when the text is not a GUID. */
export function guidToBytes(guid: string): Buffer | null {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(guid.trim());
  if (!match) return null;
  const [, a, b, c, d, e] = match as unknown as [string, string, string, string, string, string];
  const le = (hex: string) => Buffer.from(hex, 'hex').reverse();
  return Buffer.concat([le(a), le(b), le(c), Buffer.from(d, 'hex'), Buffer.from(e, 'hex')]);
}

/**
 * Entra's `onPremisesImmutableId` for a synced user is, by Entra Connect's default, the base64 of
 * the AD account's objectGUID bytes: this gives those bytes back (null when it is not 16 bytes of
 * base64, e.g. an MSP that anchors on another attribute).
 */
export function immutableIdToGuidBytes(immutableId: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(immutableId.trim())) return null;
  const bytes = Buffer.from(immutableId.trim(), 'base64');
  return bytes.length === 16 ? bytes : null;
}

/** objectSid's bytes as `S-1-5-21-…` (MS-DTYP 2.4.2.2). */
export function sidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new Error('objectSid is shorter than 8 bytes');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const revision = view[0] as number;
  const count = view[1] as number;
  const authority = view.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let index = 0; index < count; index++) parts.push(String(view.readUInt32LE(8 + index * 4)));
  return parts.join('-');
}

/** `S-1-5-21-…` back to bytes, for a filter on objectSid; null when it is not a SID. */
export function sidToBytes(sid: string): Buffer | null {
  const match = /^S-(\d+)-(\d+)((?:-\d+)+)$/i.exec(sid.trim());
  if (!match) return null;
  const subs = (match[3] as string).slice(1).split('-').map(Number);
  if (subs.length > 15 || subs.some((value) => !Number.isInteger(value) || value > 0xffffffff)) return null;
  const buffer = Buffer.alloc(8 + subs.length * 4);
  buffer[0] = Number(match[1]);
  buffer[1] = subs.length;
  buffer.writeUIntBE(Number(match[2]), 2, 6);
  for (const [index, value] of subs.entries()) buffer.writeUInt32LE(value, 8 + index * 4);
  return buffer;
}

/** The relative id: the last part of a SID (512 for Domain Admins in every domain). */
export function ridOf(sid: string): number {
  return Number(sid.slice(sid.lastIndexOf('-') + 1));
}

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000;

/**
 * A FILETIME attribute (100-ns intervals since 1601, as text) as ISO 8601; null for 0 and for the
 * "never" value AD writes as the largest 64-bit number.
 */
export function fileTimeToIso(value: string | undefined): string | null {
  if (!value || value === '0' || value === '9223372036854775807') return null;
  const ms = Number(BigInt(value) / 10_000n) - FILETIME_EPOCH_OFFSET_MS;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

/** A duration AD stores as negative 100-ns intervals (maxPwdAge, lockoutDuration) in minutes; null for "never". */
export function intervalToMinutes(value: string | undefined): number | null {
  if (!value || value === '-9223372036854775808' || value === '0') return null;
  return Number(-BigInt(value) / 600_000_000n);
}

/** `unicodePwd`'s value: the password in double quotes, UTF-16LE (MS-ADTS 3.1.1.3.1.5.1). */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}
