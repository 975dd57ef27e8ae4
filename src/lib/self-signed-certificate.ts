import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * A throwaway self-signed TLS certificate for the local simulators, so the demo and the tests can
 * run over HTTPS (the Microsoft token libraries refuse `http://` authorities) with no manual step
 * and no dependency: the X.509 structure is small enough to write in DER by hand, and node:crypto
 * does the key generation and the ECDSA signature. Clients trust the certificate itself as their CA.
 */
export type SelfSignedCertificateOptions = {
  /** DNS names and IP addresses (v4 or v6) the certificate is valid for; the first one is also the CN. */
  hostnames: string[];
  /** Validity in days from now. */
  days?: number;
  /** Only for tests: the time the validity starts from. */
  now?: Date;
};

export type SelfSignedCertificate = { key: string; cert: string };

export async function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<SelfSignedCertificate> {
  if (options.hostnames.length === 0) throw new Error('createSelfSignedCertificate needs at least one hostname');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const now = options.now ?? new Date();
  // Start a day early so a client whose clock is slightly behind does not reject it.
  const notBefore = new Date(now.getTime() - 24 * 3600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 24 * 3600_000);
  const name = seq(set(seq(oid('2.5.4.3'), utf8(`${options.hostnames[0]} (Technician Toolbox simulator)`))));
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));

  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serialNumber()),
    ecdsaWithSha256,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, seq(...extensions(options.hostnames, spki))),
  );
  // node:crypto signs ECDSA in DER (SEQUENCE of r, s) by default, which is what X.509 wants.
  const signature = sign('sha256', tbs, privateKey);
  const certificate = seq(tbs, ecdsaWithSha256, bitString(signature));
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: toPem('CERTIFICATE', certificate),
  };
}

function extensions(hostnames: string[], spki: Buffer): Buffer[] {
  const altNames = hostnames.map((host) => (isIP(host) ? tlv(0x87, ipBytes(host)) : tlv(0x82, Buffer.from(host, 'ascii'))));
  // The public key bits are the last BIT STRING of the SPKI; hashing the whole SPKI is also
  // accepted practice (RFC 7093) and keeps the identifier stable per key.
  const keyId = createHash('sha1').update(spki).digest();
  return [
    // CA:TRUE because the certificate is its own trust anchor: OpenSSL (Node) accepts a
    // self-signed leaf either way, but some other TLS stacks want the anchor marked as a CA.
    extension('2.5.29.19', true, seq(boolean(true))),
    // digitalSignature (bit 0) and keyCertSign (bit 5): 0b1000_0100 with 2 unused bits.
    extension('2.5.29.15', true, Buffer.from([0x03, 0x02, 0x02, 0x84])),
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
    extension('2.5.29.17', false, seq(...altNames)),
    extension('2.5.29.14', false, tlv(0x04, keyId)),
  ];
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), boolean(true), tlv(0x04, value)) : seq(oid(id), tlv(0x04, value));
}

function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  // Positive and without a leading zero byte, as RFC 5280 asks.
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) | 0x01;
  return bytes;
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail = ''] = address.includes('::') ? address.split('::') : [address, ''];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((group, index) => {
    out.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  });
  return out;
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
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const utf8 = (value: string) => tlv(0x0c, Buffer.from(value, 'utf8'));
const bitString = (value: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), value]));

function integer(value: Buffer): Buffer {
  return tlv(0x02, (value[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

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

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export type AppCertificate = { privateKeyPem: string; certificatePem: string; thumbprintSha1: string; notAfter: string };

/**
 * A key pair and self-signed certificate for an app registration's certificate credential (the
 * MSP app, docs/microsoft-365.md): RSA, since Entra's client assertions are RS256/PS256-signed,
 * 3072 bits, sha256WithRSAEncryption. Only the certificate is uploaded to Microsoft; the key
 * stays with the toolbox.
 */
export function createAppCertificate(options: { commonName: string; days?: number; now?: Date }): AppCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 24 * 3600_000);
  const name = seq(set(seq(oid('2.5.4.3'), utf8(options.commonName))));
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serialNumber()),
    sha256WithRsa,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    // digitalSignature only: the certificate signs client assertions, nothing else.
    explicit(
      3,
      seq(
        extension('2.5.29.15', true, Buffer.from([0x03, 0x02, 0x07, 0x80])),
        extension('2.5.29.14', false, tlv(0x04, createHash('sha1').update(spki).digest())),
      ),
    ),
  );
  const der = seq(tbs, sha256WithRsa, bitString(sign('sha256', tbs, privateKey)));
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: toPem('CERTIFICATE', der),
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    notAfter: notAfter.toISOString(),
  };
}
