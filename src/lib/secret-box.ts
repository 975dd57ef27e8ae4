import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, constants, copyFileSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Encryption at rest for the secrets the toolbox must store and later use again (PSA API keys,
 * client secrets): AES-256-GCM, which also authenticates, so a changed byte, the wrong key or the
 * wrong associated data fails loudly instead of decrypting to garbage.
 *
 * Sealed format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. The version prefix lets the
 * algorithm or key change later while old values remain readable.
 */
export type SecretBox = {
  /**
   * Encrypts `plain`. `associatedData` is authenticated but not stored: pass what the secret
   * belongs to (e.g. `connector:42:apiKey`) so a sealed value copied to another row will not open.
   */
  seal(plain: string, associatedData?: string): string;
  /** Decrypts a sealed value; throws when it was changed, or the key or associated data differ. */
  open(sealed: string, associatedData?: string): string;
};

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96-bit IVs are GCM's native size; random ones are safe for far more values than the toolbox will ever seal with one key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function createSecretBox(key: Buffer): SecretBox {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new Error(`The secret key must be exactly ${KEY_BYTES} bytes for AES-256-GCM.`);
  }
  // Our own copy, so a caller zeroing or reusing its buffer cannot change the key underneath us.
  const secretKey = Buffer.from(key);

  return {
    seal(plain, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, secretKey, iv, { authTagLength: TAG_BYTES });
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
    },

    open(sealed, associatedData) {
      const parts = typeof sealed === 'string' ? sealed.split('.') : [];
      const [version, ivText, tagText, ciphertextText] = parts;
      if (parts.length !== 4 || version !== VERSION || !parts.slice(1).every((part) => BASE64URL.test(part))) {
        throw new Error(`Cannot open the sealed secret: it is not in the ${VERSION}.<iv>.<tag>.<ciphertext> format.`);
      }
      const iv = Buffer.from(ivText!, 'base64url');
      const tag = Buffer.from(tagText!, 'base64url');
      // A short tag would weaken the check, so only the full 16 bytes are accepted.
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
        throw new Error('Cannot open the sealed secret: its IV or authentication tag has the wrong length.');
      }
      try {
        const decipher = createDecipheriv(ALGORITHM, secretKey, iv, { authTagLength: TAG_BYTES });
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(Buffer.from(ciphertextText!, 'base64url')), decipher.final()]);
        return plain.toString('utf8');
      } catch (error) {
        throw new Error(
          "Cannot open the sealed secret: it was changed, or it was sealed with a different key or associated data. Check that TOOLBOX_SECRET_KEY (or the data directory's secret.key) is the one it was saved with.",
          { cause: error },
        );
      }
    },
  };
}

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

function readKeyFile(path: string): Buffer {
  const key = decodeKey(readFileSync(path, 'utf8'));
  if (!key) {
    throw new Error(
      `${path} does not hold a base64-encoded 32-byte key. Restore the original file (secrets saved with it cannot be read without it), or set ${ENV_NAME}.`,
    );
  }
  return key;
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
export function loadSecretKey(options: LoadSecretKeyOptions): Buffer {
  const fromEnv = options.env[ENV_NAME];
  // An empty value (`TOOLBOX_SECRET_KEY=` in a compose file) means "not set".
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const key = decodeKey(fromEnv);
    if (!key) {
      throw new Error(
        `${ENV_NAME} must be exactly 32 bytes, base64 or base64url encoded (44 or 43 characters). Make one with: openssl rand -base64 32`,
      );
    }
    return key;
  }

  const path = join(options.dataDir, KEY_FILE);
  try {
    return readKeyFile(path);
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
  return readKeyFile(path);
}
