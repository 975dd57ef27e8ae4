import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Encryption at rest for the secrets the toolbox must store and later use again (PSA API keys,
 * client secrets, one-time passwords until shown): AES-256-GCM, which also authenticates, so a
 * changed byte, the wrong key or the wrong associated data fails loudly instead of decrypting to
 * garbage.
 *
 * Sealed format: `v2.<keyId>.<iv>.<tag>.<ciphertext>`, each part base64url; `keyId` names the key
 * (a hash prefix, not the key), so a box holding several keys (during a key rotation: the new one
 * first, the old ones after it) opens each value with the key that sealed it. `v1.<iv>.<tag>.<ct>`
 * values from before key ids still open with any key of the ring.
 */
export type SecretBox = {
  /**
   * Encrypts `plain` with the current (first) key. `associatedData` is authenticated but not
   * stored: pass what the secret belongs to (e.g. `settings:psa:privateKey`) so a sealed value
   * copied to another row will not open.
   */
  seal(plain: string, associatedData?: string): string;
  /** Decrypts a sealed value; throws when it was changed, or the key or associated data differ. */
  open(sealed: string, associatedData?: string): string;
  /** True when the value was sealed with a key other than the current one (re-seal it). */
  isStale(sealed: string): boolean;
  /** The current key's id, as written into sealed values. */
  readonly keyId: string;
};

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96-bit IVs are GCM's native size; random ones are safe for far more values than the toolbox will ever seal with one key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A short public name for a key: 8 bytes of its SHA-256, so it reveals nothing usable. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('technician-toolbox-key-id').update(key).digest().subarray(0, 8).toString('base64url');
}

function decrypt(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, associatedData: string | undefined): string {
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

const WRONG_KEY =
  "Cannot open the sealed secret: it was changed, or it was sealed with a different key or associated data. Check that TOOLBOX_SECRET_KEY (or the data directory's secret.key) is the one it was saved with.";

export function createSecretBox(keyOrKeys: Buffer | Buffer[]): SecretBox {
  const keys = Array.isArray(keyOrKeys) ? keyOrKeys : [keyOrKeys];
  if (keys.length === 0) throw new Error('The secret box needs at least one key.');
  for (const key of keys) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new Error(`The secret key must be exactly ${KEY_BYTES} bytes for AES-256-GCM.`);
    }
  }
  // Our own copies, so a caller zeroing or reusing its buffers cannot change the keys underneath us.
  const ring = keys.map((key) => ({ key: Buffer.from(key), id: secretKeyId(key) }));
  const current = ring[0]!;

  const parse = (sealed: string) => {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const version = parts[0];
    const body =
      version === 'v2' && parts.length === 5 ? parts.slice(2) : version === 'v1' && parts.length === 4 ? parts.slice(1) : undefined;
    if (!body || !parts.slice(1).every((part) => BASE64URL.test(part))) {
      throw new Error('Cannot open the sealed secret: it is not in the v2.<key>.<iv>.<tag>.<ciphertext> format.');
    }
    const [ivText, tagText, ciphertextText] = body as [string, string, string];
    return {
      keyId: version === 'v2' ? parts[1]! : undefined,
      iv: Buffer.from(ivText, 'base64url'),
      tag: Buffer.from(tagText, 'base64url'),
      ciphertext: Buffer.from(ciphertextText, 'base64url'),
    };
  };

  return {
    keyId: current.id,
    seal(plain, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, current.key, iv, { authTagLength: TAG_BYTES });
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v2', current.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
    },

    open(sealed, associatedData) {
      const { keyId, iv, tag, ciphertext } = parse(sealed);
      // A short tag would weaken the check, so only the full 16 bytes are accepted.
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
        throw new Error('Cannot open the sealed secret: its IV or authentication tag has the wrong length.');
      }
      const candidates = keyId === undefined ? ring : ring.filter((entry) => entry.id === keyId);
      if (candidates.length === 0) {
        throw new Error(
          `Cannot open the sealed secret: it was sealed with key ${keyId}, which is not among the configured keys (${ring.map((entry) => entry.id).join(', ')}). Put the old key back after the new one in TOOLBOX_SECRET_KEY or secret.key (docs/admin.md, "Rotating the secret key").`,
        );
      }
      let lastError: unknown;
      for (const entry of candidates) {
        try {
          return decrypt(entry.key, iv, tag, ciphertext, associatedData);
        } catch (error) {
          lastError = error;
        }
      }
      throw new Error(WRONG_KEY, { cause: lastError });
    },

    isStale(sealed) {
      return parse(sealed).keyId !== current.id;
    },
  };
}

/** The keys the box opens values with, the current one first, and where they came from. */
export type SecretKeyring = { keys: Buffer[]; source: 'env' | 'file'; path?: string };

export type LoadSecretKeyOptions = {
  env: NodeJS.ProcessEnv | Record<string, string | undefined>;
  /** The toolbox's data directory; the generated key is kept in `secret.key` there. */
  dataDir: string;
};

const ENV_NAME = 'TOOLBOX_SECRET_KEY';
const KEY_FILE = 'secret.key';
const BASE64_OR_URL = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Decodes base64 or base64url of exactly 32 bytes; undefined for anything else. */
function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!BASE64_OR_URL.test(trimmed)) return undefined;
  // Node's base64 decoder also accepts the base64url alphabet.
  const key = Buffer.from(trimmed, 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

/** The key file holds one key per line: the current one first, older ones (during a rotation) after it. */
function readKeyFile(path: string): Buffer[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const keys = lines.map(decodeKey);
  if (keys.length === 0 || keys.some((key) => key === undefined)) {
    throw new Error(
      `${path} does not hold a base64-encoded 32-byte key. Restore the original file (secrets saved with it cannot be read without it), or set ${ENV_NAME}.`,
    );
  }
  return keys as Buffer[];
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** Puts `tempPath` at `path` unless `path` already exists, in which case the existing file wins. */
function publishExclusively(tempPath: string, path: string): void {
  try {
    linkSync(tempPath, path);
  } catch (error) {
    // Another process published its key first: use that one.
    if (isErrno(error, 'EEXIST')) return;
    // Some mounts (SMB, some FUSE volumes) have no hard links. An exclusive copy still never
    // overwrites another process's key, though a reader could in theory see it half-written.
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].some((code) => isErrno(error, code))) throw error;
    try {
      copyFileSync(tempPath, path, constants.COPYFILE_EXCL);
    } catch (copyError) {
      if (!isErrno(copyError, 'EEXIST')) throw copyError;
    }
  }
}

/**
 * The key for the secret box: `TOOLBOX_SECRET_KEY` when set, else `{dataDir}/secret.key`, which is
 * created on first start so a self-hosted install works without any setup.
 *
 * Creating the file must not race: two processes starting together (web and worker) must end up
 * with the same key, or one of them would seal secrets the other cannot open. The new key is
 * written and flushed to a private temp file, then published with link(), which, unlike rename(),
 * fails when the target already exists; the loser of the race reads the winner's file, which only
 * ever appears complete.
 */
export function loadSecretKeys(options: LoadSecretKeyOptions): SecretKeyring {
  const fromEnv = options.env[ENV_NAME];
  // An empty value (`TOOLBOX_SECRET_KEY=` in a compose file) means "not set".
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const keys = fromEnv.split(',').map(decodeKey);
    if (keys.some((key) => key === undefined)) {
      throw new Error(
        `${ENV_NAME} must be exactly 32 bytes, base64 or base64url encoded (44 or 43 characters); during a key rotation, the new key, a comma, then the old one. Make one with: openssl rand -base64 32`,
      );
    }
    return { keys: keys as Buffer[], source: 'env' };
  }

  const path = join(options.dataDir, KEY_FILE);
  try {
    return { keys: readKeyFile(path), source: 'file', path };
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const tempPath = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tempPath, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    publishExclusively(tempPath, path);
  } finally {
    rmSync(tempPath, { force: true });
  }
  return { keys: readKeyFile(path), source: 'file', path };
}

/** The current key only (see {@link loadSecretKeys} for the whole ring). */
export function loadSecretKey(options: LoadSecretKeyOptions): Buffer {
  return loadSecretKeys(options).keys[0]!;
}

/** A fresh random key, base64. */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Replaces the key file with these keys (current first), atomically: written and flushed to a
 * private temp file, then renamed over the old one, so a crash leaves either file whole.
 */
export function writeKeyFile(path: string, keys: Buffer[]): void {
  const tempPath = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tempPath, 'wx', 0o600);
    try {
      writeSync(fd, keys.map((key) => `${key.toString('base64')}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tempPath, path);
  } finally {
    rmSync(tempPath, { force: true });
  }
}
