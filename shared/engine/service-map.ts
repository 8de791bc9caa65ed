/**
 * What provider services a probe target stands for: its own `services`, plus the configured
 * `acknowledgement.serviceMap` entries for its plane, its target id and each of its services.
 * Used to link probe incidents to provider incidents and to let a provider maintenance window
 * silence the probes of the same service. Names compare case- and punctuation-insensitively.
 */
import type { AcknowledgementConfig } from './engine-config.ts';

/** `East US` → `eastus`, `Microsoft Entra ID` → `microsoftentraid`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface ProbeIdentity {
  readonly targetId: string;
  readonly plane: string;
  readonly services: readonly string[];
}

/** Provider service names (as configured or reported) the probe target stands for. */
export function listProbeProviderServices(probe: ProbeIdentity, config: AcknowledgementConfig): string[] {
  const names = new Set<string>(probe.services);
  const add = (key: string) => {
    for (const service of config.serviceMap[key] ?? []) names.add(service);
  };
  add(`plane:${probe.plane}`);
  add(`target:${probe.targetId}`);
  for (const service of probe.services) add(`service:${service}`);
  return [...names];
}

/** True when the lists share a name; `global` (or an empty list) overlaps every region. */
export function regionsOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  const left = new Set(a.map(normalizeName));
  if (left.has('global')) return true;
  return b.some((region) => {
    const name = normalizeName(region);
    return name === 'global' || left.has(name);
  });
}

export function servicesOverlap(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map(normalizeName));
  return b.some((service) => left.has(normalizeName(service)));
}
