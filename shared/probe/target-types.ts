/**
 * The probe targets: one interface per probe kind (their shared base, the expectations an HTTP
 * target may set), the union every probe and the runner take, the targets file's parsed shape, the
 * catalog's tenant placeholders, and the address a result reports for a target.
 */
import type { Plane } from '../event/vocabulary.ts';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

interface TargetBase {
  readonly id: string;
  readonly name: string;
  readonly plane: Plane;
  /** A control target outside Microsoft, used to judge this vantage's own network. */
  readonly control: boolean;
  readonly disabled: boolean;
  /** Per-target timeout; the runner's timeout applies when absent. */
  readonly timeoutMs?: number | undefined;
  readonly services?: readonly string[] | undefined;
  readonly regions?: readonly string[] | undefined;
  /** Extra trust anchor (PEM) for this target's TLS, e.g. a private CA. */
  readonly ca?: string | undefined;
}

export interface HttpExpect {
  /** Healthy status codes; default: any 2xx or 3xx (redirects are not followed). */
  readonly status?: readonly number[] | undefined;
  /** Slower than this (total) → `degraded` with HTTP_SLOW. */
  readonly maxLatencyMs?: number | undefined;
  /** The body (first `maxBodyBytes`) must contain this text. */
  readonly keyword?: string | undefined;
  /** The body (first `maxBodyBytes`) must match this regular expression. */
  readonly regex?: string | undefined;
  /** Certificate valid for fewer days than this → `degraded` with TLS_EXPIRING (default 14). */
  readonly minCertDays?: number | undefined;
}

export interface HttpTarget extends TargetBase {
  readonly kind: 'http';
  readonly url: string;
  readonly method: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly maxBodyBytes?: number | undefined;
  readonly expect: HttpExpect;
}

export interface DnsTarget extends TargetBase {
  readonly kind: 'dns';
  readonly name: string;
  readonly type: DnsRecordType;
  /** `system` (the host's resolver) or a resolver address `IP` / `IP:PORT` / `[IPv6]:PORT`. */
  readonly resolvers: readonly string[];
}

export interface TcpTarget extends TargetBase {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
}

export interface SmtpTarget extends TargetBase {
  readonly kind: 'smtp';
  readonly host: string;
  readonly port: number;
  /** Name sent in EHLO; default `crosswatch.invalid`. */
  readonly ehloName?: string | undefined;
  /** TLS server name for STARTTLS; default the host (when not an IP address). */
  readonly servername?: string | undefined;
  /** STARTTLS must be offered (default true); `false` only records whether it was. */
  readonly requireStartTls: boolean;
}

export interface TlsTarget extends TargetBase {
  readonly kind: 'tls';
  readonly host: string;
  readonly port: number;
  /** SNI; default the host (when not an IP address). */
  readonly servername?: string | undefined;
  readonly minCertDays?: number | undefined;
}

export interface EntraTarget extends TargetBase {
  readonly kind: 'entra';
  /** The OpenID discovery document, e.g. https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration */
  readonly url: string;
  readonly maxLatencyMs?: number | undefined;
}

export interface FeedTarget extends TargetBase {
  readonly kind: 'feed';
  readonly url: string;
  readonly maxLatencyMs?: number | undefined;
}

export type TargetSpec =
  | HttpTarget
  | DnsTarget
  | TcpTarget
  | SmtpTarget
  | TlsTarget
  | EntraTarget
  | FeedTarget;

export interface TargetsFile {
  readonly targets: readonly TargetSpec[];
  /** Ids to leave out (catalog or file targets). */
  readonly disable: readonly string[];
  /** Placeholders for the default catalog, when the file is combined with `--catalog default`. */
  readonly catalog: CatalogConfig;
}

export interface CatalogConfig {
  /** Entra tenant id (GUID) for the identity-plane discovery probe. */
  readonly tenantId?: string;
  /** The tenant's mail domain (contoso.com): its MX record and `<contoso-com>.mail.protection.outlook.com`. */
  readonly tenantDomain?: string;
  /** A storage account name for data-plane probes of `<account>.blob.core.windows.net`. */
  readonly storageAccount?: string;
  /** Azure regions (eastus, westeurope …) for regional ARM endpoints. */
  readonly regions?: readonly string[];
}

/** The address a result reports: the URL without query or fragment (they may carry secrets). */
export function describeAddress(target: TargetSpec): string {
  switch (target.kind) {
    case 'http':
    case 'entra':
    case 'feed': {
      const url = new URL(target.url);
      url.search = '';
      url.hash = '';
      url.username = '';
      url.password = '';
      return url.href;
    }
    case 'dns':
      return `${target.name} ${target.type}`;
    default:
      return `${target.host}:${target.port}`;
  }
}
