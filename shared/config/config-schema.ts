/**
 * The configuration file's schema (crosswatch.config.json): the source of truth for the settings,
 * their defaults and their descriptions. `npm run schema` serializes it to
 * schema/crosswatch-config.schema.json (a test fails when that file is stale); the runtime validator
 * (validate-config.ts) walks that generated JSON, so TypeBox never loads on a cold-start path —
 * import only types from here.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const NonEmpty = (description: string) => Type.String({ minLength: 1, description });
const Secret = (description: string) => Type.String({ minLength: 16, maxLength: 512, description });
const Enum = <const T extends readonly string[]>(values: T, description: string, defaultValue?: T[number]) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { description, ...(defaultValue === undefined ? {} : { default: defaultValue }) },
  ) as unknown as TSchema & { static: T[number] };
const Strings = (description: string, item: TSchema = Type.String({ minLength: 1 })) =>
  Type.Array(item, { description, default: [] });
const Guid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'A GUID.',
});
const Closed = { additionalProperties: false } as const;

export const VantageSection = Type.Object(
  {
    id: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$',
      default: 'local',
      description: "This deployment's vantage id, reported with every probe result.",
    }),
    cloud: Enum(['local', 'azure', 'aws', 'other'], 'Where this deployment runs.', 'local'),
    region: Type.String({ description: 'The vantage\'s region ("" when none).', default: '' }),
  },
  { ...Closed, description: 'Who is observing: every probe result carries it.' },
);

export const ServerSection = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Local runner bind address.' }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 7071,
      description: 'Local runner port (0: any free port).',
    }),
    headersTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 600000,
      default: 10000,
      description:
        "Local runner: a connection that has not sent a request's complete headers within this time is answered 408 and closed (slow clients).",
    }),
    requestTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 3600000,
      default: 15000,
      description:
        'Local runner: a request whose body has not fully arrived within this time of its start is answered 408 and closed; at least headersTimeoutMs.',
    }),
    maxConnections: Type.Integer({
      minimum: 1,
      maximum: 1000000,
      default: 1000,
      description: 'Local runner: open connections at most; a connection beyond it is closed at once.',
    }),
  },
  { ...Closed, description: "The local runner's HTTP server." },
);

export const StoreSection = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('sqlite'),
        path: Type.Optional(NonEmpty('Database file (default <dataDir>/crosswatch.db).')),
        durability: Type.Optional(
          Enum(['normal', 'full'], 'normal: safe across process crashes; full: also across power loss.'),
        ),
      },
      Closed,
    ),
    Type.Object({ kind: Type.Literal('memory') }, Closed),
    Type.Object(
      {
        kind: Type.Literal('azure-table'),
        connectionString: NonEmpty('Storage connection string (a Key Vault reference on Azure).'),
        tableName: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{2,62}$', description: 'Table name.' }),
      },
      Closed,
    ),
    Type.Object(
      {
        kind: Type.Literal('dynamodb'),
        tableName: NonEmpty('DynamoDB table name.'),
        region: Type.Optional(NonEmpty('AWS region (default: the SDK chain).')),
        endpoint: Type.Optional(NonEmpty('Endpoint override (dynalite, LocalStack).')),
      },
      Closed,
    ),
  ],
  {
    description:
      'The state store (incidents, decisions, outbox, inbox). Default: SQLite in the data directory.',
  },
);

export const EvidenceSection = Type.Object(
  {
    kind: Enum(
      ['sqlite', 'directory', 'azure-blob', 's3', 'none'],
      'Where raw inputs are archived. Default: one SQLite file in the data directory.',
      'sqlite',
    ),
    path: Type.Optional(
      NonEmpty(
        'The SQLite file (kind sqlite; default <dataDir>/evidence.db) or the directory (kind directory; default <dataDir>/evidence).',
      ),
    ),
    connectionString: Type.Optional(NonEmpty('Storage connection string (kind azure-blob).')),
    container: Type.Optional(NonEmpty('Blob container (kind azure-blob).')),
    bucket: Type.Optional(NonEmpty('S3 bucket (kind s3).')),
    prefix: Type.Optional(Type.String({ description: 'Key prefix (kind s3).' })),
    retentionDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      default: 30,
      description: 'Evidence kept this many days.',
    }),
  },
  { ...Closed, description: 'The evidence archive (raw inputs, probe evidence, delivery receipts).' },
);

export const ProbesSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the probe schedule.' }),
    catalog: Enum(['default', 'none'], 'The built-in Azure / Microsoft 365 catalog, or none.', 'default'),
    targetsFile: Type.Optional(
      NonEmpty('A targets file (JSON) whose entries add to or replace catalog targets.'),
    ),
    schedule: Type.String({
      minLength: 2,
      default: '60s',
      description: 'An interval ("30s", "5m", "1h") or a 5/6-field cron expression ("*/2 * * * *").',
    }),
    timeoutMs: Type.Integer({
      minimum: 100,
      maximum: 60000,
      default: 5000,
      description: 'Per-probe timeout.',
    }),
    concurrency: Type.Integer({
      minimum: 1,
      maximum: 256,
      default: 16,
      description: 'Probes in flight at once.',
    }),
    controls: Type.Boolean({
      default: true,
      description: 'Probe the control targets outside Microsoft (needed for the vantage-impaired verdict).',
    }),
    tenant: Type.Object(
      {
        tenantId: Type.Optional(Guid),
        tenantDomain: Type.Optional(
          Type.String({
            pattern: '^[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$',
            description: 'Mail domain (contoso.com).',
          }),
        ),
        storageAccount: Type.Optional(
          Type.String({ pattern: '^[a-z0-9]{3,24}$', description: 'Storage account for data-plane probes.' }),
        ),
        regions: Strings('Azure regions for regional endpoints (eastus, westeurope).'),
      },
      {
        ...Closed,
        default: {},
        description: 'Catalog placeholders; catalog targets needing an unset one are skipped.',
      },
    ),
  },
  { ...Closed, description: 'Synthetic probes from this vantage.' },
);

export const EntraSection = Type.Object(
  {
    tenantId: Guid,
    audience: Type.Array(NonEmpty('An accepted aud value.'), {
      minItems: 1,
      description: "Accepted audiences: the API app's client id and/or api://{clientId}.",
    }),
    allowedAppIds: Type.Array(Guid, {
      minItems: 1,
      default: ['461e8683-5575-4561-ac7f-899cc907d62a'],
      description: 'Accepted appid/azp: the "AZNS AAD Webhook" application by default.',
    }),
    jwksUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'JWKS URL override.' })),
  },
  { ...Closed, description: 'Entra ID secure-webhook validation (Authorization: Bearer).' },
);

export const WebhookSection = Type.Object(
  {
    tokens: Strings(
      'Secret tokens accepted as ?token= (≥ 16 characters; several for rotation).',
      Secret('A token.'),
    ),
    entra: Type.Optional(EntraSection),
    standardWebhookSecrets: Strings(
      'Standard Webhooks secrets (whsec_<base64>) for /api/webhook.',
      Type.String({ pattern: '^whsec_[A-Za-z0-9+/]{22,}={0,2}$' }),
    ),
    maxBodyBytes: Type.Integer({
      minimum: 1024,
      maximum: 10485760,
      default: 1048576,
      description: 'Bodies over this size get 413 before parsing.',
    }),
    allowedSubscriptionIds: Strings(
      'When set, only payloads naming these Azure subscriptions are accepted (403 otherwise).',
      Guid,
    ),
  },
  { ...Closed, description: 'Webhook ingress authentication and limits.' },
);

const CredentialsSection = Type.Object(
  {
    tenantId: Guid,
    clientId: Guid,
    clientSecret: Type.Optional(
      NonEmpty('Client secret (Key Vault / Secrets Manager reference resolved by the platform).'),
    ),
  },
  { ...Closed, description: 'A service principal; without clientSecret the platform identity is used.' },
);

export const PollersSection = Type.Object(
  {
    schedule: Type.String({ minLength: 2, default: '5m', description: 'Interval or cron for every poller.' }),
    azureResourceHealth: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({ default: true }),
          subscriptionIds: Type.Array(Guid, { minItems: 1, description: 'Subscriptions to poll.' }),
          credentials: Type.Optional(CredentialsSection),
        },
        { ...Closed, description: 'Azure Resource Health events API.' },
      ),
    ),
    m365: Type.Optional(
      Type.Object(
        { enabled: Type.Boolean({ default: true }), credentials: CredentialsSection },
        { ...Closed, description: 'Microsoft 365 service health issues (Graph, ServiceHealth.Read.All).' },
      ),
    ),
    azureStatusFeed: Type.Optional(
      Type.Object(
        { enabled: Type.Boolean({ default: false }) },
        { ...Closed, description: 'The public Azure status feed.' },
      ),
    ),
    awsHealth: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({ default: true }),
          view: Enum(
            ['account', 'organization'],
            "account: this account's events (DescribeEvents); organization: every account's (DescribeEventsForOrganization, from the management or a delegated administrator account).",
            'account',
          ),
          region: Type.String({
            pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$',
            default: 'us-east-1',
            description: 'Region of the AWS Health API endpoint (aws-cn: cn-northwest-1).',
          }),
        },
        {
          ...Closed,
          description:
            'The AWS Health API, for accounts without an EventBridge rule (Business, Enterprise On-Ramp or Enterprise Support).',
        },
      ),
    ),
  },
  { ...Closed, description: 'Provider health pollers; each runs only when configured.' },
);

export const WatchdogSection = Type.Object(
  {
    schedule: Type.String({
      minLength: 2,
      default: '1m',
      description: "How often this deployment records its own heartbeat and checks its peers' heartbeats.",
    }),
  },
  {
    ...Closed,
    description:
      "The dead-man's switch: a mesh peer whose heartbeat is older than engine.watchdog.staleAfterMs escalates watchdog-stale.",
  },
);

export const MeshPeer = Type.Object(
  {
    id: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$',
      description: "The peer deployment's id (its CROSSWATCH_DEPLOYMENT_ID, by default its vantage id).",
    }),
    url: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          "The peer's mesh route (POST …/api/mesh): this deployment's probe results go there after each round. Leave out for a peer that cannot be reached (a self-hosted runner behind NAT): it still sends to us.",
      }),
    ),
    secret: Type.Optional(
      Secret(
        'The Standard Webhooks secret shared with this peer (whsec_…): signs what we send it and authenticates what it sends us.',
      ),
    ),
    statusUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          "The peer's status document (GET …/api/status, with its function key or token): the watchdog pulls its heartbeat from there.",
      }),
    ),
    allowPrivate: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Allow a mesh url on a loopback, private, CGNAT or link-local address (a peer on the same network); otherwise the SSRF guard refuses it. Metadata addresses are refused even then.',
      }),
    ),
  },
  Closed,
);

export const MeshSection = Type.Object(
  {
    peers: Type.Array(MeshPeer, {
      default: [],
      description:
        'The other crosswatch deployments (Azure app, AWS stack, self-hosted runner): they exchange probe results and heartbeats, and watch each other.',
    }),
  },
  { ...Closed, description: 'Cross-cloud peering (docs/mesh.md).' },
);

export const LogSection = Type.Object(
  {
    level: Enum(['debug', 'info', 'warn', 'error'], 'Lowest level written.', 'info'),
    format: Enum(
      ['auto', 'json', 'readable'],
      'json: one JSON object per line; readable: for a terminal; auto: readable on a terminal, json otherwise.',
      'auto',
    ),
  },
  { ...Closed, description: 'Structured logging.' },
);

export const ConfigFileSchema = Type.Object(
  {
    $schema: Type.Optional(
      Type.String({ description: 'The JSON Schema this file follows (editor completion).' }),
    ),
    dataDir: Type.String({ minLength: 1, default: '.crosswatch', description: 'Local data directory.' }),
    vantage: Type.Optional(VantageSection),
    server: Type.Optional(ServerSection),
    store: Type.Optional(StoreSection),
    evidence: Type.Optional(EvidenceSection),
    probes: Type.Optional(ProbesSection),
    engine: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'Engine thresholds (shared/engine/engine-config.ts), e.g. {"verdict": {"quorum": 3}}.',
        },
      ),
    ),
    notify: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'Sinks, routes, default route and outbox settings (shared/notify/notify-config.ts).',
        },
      ),
    ),
    webhook: Type.Optional(WebhookSection),
    pollers: Type.Optional(PollersSection),
    watchdog: Type.Optional(WatchdogSection),
    mesh: Type.Optional(MeshSection),
    log: Type.Optional(LogSection),
  },
  { ...Closed, title: 'crosswatch configuration', description: 'crosswatch.config.json' },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;
