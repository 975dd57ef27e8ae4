import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/**
 * A throwaway self-signed RSA certificate and its key, made at test time, for app-registration
 * certificate credentials (Entra client assertions are RSA-signed, and src/lib's generator makes
 * ECDSA TLS certificates). Nothing here is ever written to disk. The X.509 v1 structure is written
 * in DER by hand; node:crypto generates the key and signs (sha256WithRSAEncryption).
 */
export type RsaTestCertificate = {
  certificatePem: string;
  /** PKCS#8 PEM (-----BEGIN PRIVATE KEY-----). */
  privateKeyPem: string;
  /** PKCS#1 PEM (-----BEGIN RSA PRIVATE KEY-----), as older openssl versions write it. */
  rsaPrivateKeyPem: string;
  /** The key followed by the certificate, as `az ad sp create-for-rbac --create-cert` writes it. */
  combinedPem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
};

export function createRsaTestCertificate(
  options: { commonName?: string; notBefore?: Date; notAfter?: Date; modulusLength?: number } = {},
): RsaTestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 24 * 3600_000);
  const name = seq(set(seq(oid('2.5.4.3'), utf8(options.commonName ?? 'Technician Toolbox test app'))));
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 1) & 0x7f) | 0x01;
  const tbs = seq(
    tlv(0x02, serial),
    sha256WithRsa,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, privateKey)])));
  const certificatePem = toPem('CERTIFICATE', der);
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    certificatePem,
    privateKeyPem,
    rsaPrivateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    combinedPem: `${privateKeyPem}${certificatePem}`,
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) lengthBytes.unshift(rest & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | lengthBytes.length, ...lengthBytes]), content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const utf8 = (value: string) => tlv(0x0c, Buffer.from(value, 'utf8'));

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let rest = arc >> 7; rest > 0; rest >>= 7) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (dates before 2050, which is all a test needs). */
function utcTime(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, Buffer.from(`${iso}Z`, 'ascii'));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
