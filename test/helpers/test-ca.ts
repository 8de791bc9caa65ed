/**
 * A throwaway certificate authority generated at test time (ECDSA P-256 via WebCrypto and
 * @peculiar/x509): no openssl, no committed private keys. Leaf certificates cover `localhost` and
 * 127.0.0.1 unless told otherwise, with any validity window (expired, not yet valid, expiring).
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface LeafCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface LeafOptions {
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  /** Validity window in days relative to now (negative = past). */
  readonly validFromDays?: number;
  readonly validToDays?: number;
}

export interface TestCa {
  /** PEM of the CA certificate: the `ca` option of probes and runner. */
  readonly cert: string;
  issue(options?: LeafOptions): Promise<LeafCertificate>;
}

function toPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

let serial = 1;

export async function createTestCa(name = 'crosswatch test CA'): Promise<TestCa> {
  const keys = await generateKeys();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    notBefore: new Date(now - 3650 * DAY),
    notAfter: new Date(now + 3650 * DAY),
    keys: keys as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return {
    cert: caCert.toString('pem'),
    async issue(options = {}) {
      const leafKeys = await generateKeys();
      const dnsNames = options.dnsNames ?? ['localhost'];
      const ips = options.ips ?? ['127.0.0.1'];
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: `CN=${dnsNames[0] ?? ips[0] ?? 'leaf'}`,
        issuer: caCert.subject,
        notBefore: new Date(Date.now() + (options.validFromDays ?? -30) * DAY),
        notAfter: new Date(Date.now() + (options.validToDays ?? 365) * DAY),
        signingAlgorithm: ALGORITHM,
        publicKey: leafKeys.publicKey as never,
        signingKey: keys.privateKey as never,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([
            ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
            ...ips.map((value) => ({ type: 'ip' as const, value })),
          ]),
          await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey as never),
        ],
      });
      const key = toPem(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY');
      return { cert: cert.toString('pem'), key };
    },
  };
}
