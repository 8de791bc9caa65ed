/**
 * Event schema v1: the source of truth. The TypeScript types below are derived from these TypeBox
 * definitions, and `npm run schema` serializes them to schema/crosswatch-event.v1.schema.json (a
 * test fails when that file is stale). Runtime code imports only the types from here (`import type`),
 * so the TypeBox package never lands on a cold-start path.
 */
import { type Static, type TLiteral, type TSchema, Type } from '@sinclair/typebox';
import {
  CATEGORIES,
  EVENT_TYPES,
  INCONCLUSIVE_REASONS,
  ORIGINS,
  PLANES,
  PROBE_ERROR_CODE_PATTERN,
  PROBE_KINDS,
  PROBE_OUTCOMES,
  PROVIDERS,
  SCHEMA_VERSION,
  SEVERITIES,
  STATUSES,
  VANTAGE_CLOUDS,
} from './vocabulary.ts';

function literalUnion<const T extends readonly string[]>(values: T, description?: string) {
  const literals = values.map((value) => Type.Literal(value)) as { [K in keyof T]: TLiteral<T[K]> };
  return Type.Union(
    literals as unknown as TLiteral<T[number]>[],
    description ? { description } : {},
  ) as TSchema & {
    static: T[number];
  };
}

const IsoUtc = Type.String({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$',
  description: 'ISO 8601 in UTC with a Z suffix, at most millisecond precision.',
});
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Strings = (description: string) => Type.Array(Type.String(), { description });

export const ScopeSchema = Type.Object(
  {
    tenantIds: Strings('Entra tenant ids that received or are affected by the event.'),
    subscriptionIds: Strings('Azure subscription ids that received the event (lower-case).'),
    accountIds: Strings('AWS account ids that received or are affected by the event.'),
    resourceIds: Strings('Resource ids (Azure resource ids, lower-case) or AWS entity values.'),
  },
  {
    additionalProperties: false,
    description: 'Who received the event: never part of incidentKey/updateKey.',
  },
);

export const LinkSchema = Type.Object(
  { label: Type.String(), url: Type.String({ format: 'uri' }) },
  { additionalProperties: false },
);

export const EvidenceSchema = Type.Object(
  {
    contentHash: Type.String({
      pattern: '^sha256:[0-9a-f]{64}$',
      description: 'Hash of the raw input bytes.',
    }),
    bytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, description: 'Pointer to the raw input in the evidence archive.' },
);

const AttributeValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const commonDataProperties = {
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  incidentKey: Type.String({
    minLength: 1,
    description: 'Stable for every update of one incident, across subscriptions and accounts.',
  }),
  updateKey: Type.String({
    minLength: 1,
    description: 'Unique per published update; a replay of the same update has the same key.',
  }),
  status: literalUnion(STATUSES),
  severity: literalUnion(SEVERITIES),
  title: Type.String({ description: 'Plain text.' }),
  summary: Type.String({ description: 'Plain text: HTML stripped, entities decoded.' }),
  services: Strings('Every impacted service.'),
  regions: Strings('Every impacted region (the affected region, never the delivery region).'),
  scope: ScopeSchema,
  startedAt: Nullable(IsoUtc),
  updatedAt: IsoUtc,
  resolvedAt: Nullable(IsoUtc),
  links: Type.Array(LinkSchema),
  evidence: Nullable(EvidenceSchema),
  stage: Nullable(
    Type.String({ description: 'The lifecycle stage as the provider published it (Active, RCA, open, …).' }),
  ),
  attributes: Type.Record(Type.String(), AttributeValue, {
    description:
      'Provider identifiers and raw values kept for rendering and audit (trackingId, eventArn, …).',
  }),
};

export const ProviderEventDataSchema = Type.Object(
  {
    ...commonDataProperties,
    provider: literalUnion(PROVIDERS.filter((p) => p !== 'crosswatch') as ['azure', 'aws', 'm365']),
    origin: literalUnion(
      ORIGINS.filter((o) => o !== 'probe') as Exclude<(typeof ORIGINS)[number], 'probe'>[],
    ),
    category: literalUnion(
      CATEGORIES.filter((c) => c !== 'probe') as Exclude<(typeof CATEGORIES)[number], 'probe'>[],
    ),
  },
  { additionalProperties: false, title: 'provider event data' },
);

export const ProbeTargetSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    name: Type.String(),
    kind: literalUnion(PROBE_KINDS),
    address: Type.String({ description: 'URL, host name or host:port that was probed.' }),
    control: Type.Boolean({
      description: 'A control target outside Microsoft, used to judge our own network.',
    }),
  },
  { additionalProperties: false },
);

export const VantageSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    cloud: literalUnion(VANTAGE_CLOUDS),
    region: Type.String(),
  },
  { additionalProperties: false },
);

export const PhaseTimingsSchema = Type.Object(
  {
    dnsMs: Nullable(Type.Number({ minimum: 0 })),
    connectMs: Nullable(Type.Number({ minimum: 0 })),
    tlsMs: Nullable(Type.Number({ minimum: 0 })),
    firstByteMs: Nullable(Type.Number({ minimum: 0 })),
    totalMs: Nullable(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false, description: 'Phase timings, each from the start of the probe.' },
);

export const ProbeEventDataSchema = Type.Object(
  {
    ...commonDataProperties,
    provider: Type.Literal('crosswatch'),
    origin: Type.Literal('probe'),
    category: Type.Literal('probe'),
    target: ProbeTargetSchema,
    vantage: VantageSchema,
    plane: literalUnion(PLANES),
    outcome: literalUnion(PROBE_OUTCOMES),
    reason: Nullable(literalUnion(INCONCLUSIVE_REASONS)),
    latencyMs: Nullable(Type.Number({ minimum: 0 })),
    phases: PhaseTimingsSchema,
    error: Nullable(Type.String({ pattern: PROBE_ERROR_CODE_PATTERN })),
    errorDetail: Nullable(Type.String()),
    roundId: Type.String({ minLength: 1 }),
    observations: Type.Record(Type.String(), AttributeValue, {
      description: 'What the probe saw: status code, selected headers, certificate days left, SMTP replies…',
    }),
  },
  { additionalProperties: false, title: 'probe result data' },
);

const envelope = <T extends TSchema>(type: TSchema, data: T) =>
  Type.Object(
    {
      specversion: Type.Literal('1.0'),
      id: Type.String({ minLength: 1 }),
      source: Type.String({ minLength: 1, format: 'uri-reference' }),
      type,
      subject: Type.String({ minLength: 1, description: 'The incidentKey.' }),
      time: IsoUtc,
      datacontenttype: Type.Literal('application/json'),
      data,
    },
    { additionalProperties: true },
  );

export const ProviderCloudEventSchema = envelope(
  Type.Union([Type.Literal(EVENT_TYPES.providerIncident), Type.Literal(EVENT_TYPES.resourceHealth)]),
  ProviderEventDataSchema,
);
export const ProbeCloudEventSchema = envelope(Type.Literal(EVENT_TYPES.probeResult), ProbeEventDataSchema);

export const CrosswatchEventSchema = Type.Union([ProviderCloudEventSchema, ProbeCloudEventSchema], {
  title: 'crosswatch event v1',
  description:
    'A CloudEvents 1.0 structured-mode JSON object whose data is a normalized provider incident, resource health change or probe result.',
});

export type Scope = Static<typeof ScopeSchema>;
export type Link = Static<typeof LinkSchema>;
export type Evidence = Static<typeof EvidenceSchema>;
export type ProviderEventData = Static<typeof ProviderEventDataSchema>;
export type ProbeTarget = Static<typeof ProbeTargetSchema>;
export type Vantage = Static<typeof VantageSchema>;
export type PhaseTimings = Static<typeof PhaseTimingsSchema>;
export type ProbeEventData = Static<typeof ProbeEventDataSchema>;
export type EventData = ProviderEventData | ProbeEventData;
export type ProviderCloudEvent = Static<typeof ProviderCloudEventSchema>;
export type ProbeCloudEvent = Static<typeof ProbeCloudEventSchema>;
export type CrosswatchEvent = ProviderCloudEvent | ProbeCloudEvent;
