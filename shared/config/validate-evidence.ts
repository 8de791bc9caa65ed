/** The `evidence` section: where raw payloads are archived, and the fields each kind requires. */
import type { EvidenceInput } from './config-document.ts';
import type { EvidenceConfig } from './crosswatch-config.ts';
import { resolveAbsolutePath } from './setting-values.ts';
import { SchemaViolation } from './walk-json-schema.ts';

export function validateEvidence(section: EvidenceInput, dataDir: string, cwd: string): EvidenceConfig {
  const retentionDays = section.retentionDays;
  const requireField = (name: string) => {
    const found = section[name];
    if (typeof found !== 'string')
      throw new SchemaViolation(`evidence.${name}`, `is required for kind ${section.kind}`);
    return found;
  };
  const path = section.path as string | undefined;
  switch (section.kind) {
    case 'sqlite':
      return {
        kind: 'sqlite',
        path: resolveAbsolutePath(path ?? `${dataDir}/evidence.db`, cwd),
        retentionDays,
      };
    case 'directory':
      return {
        kind: 'directory',
        path: resolveAbsolutePath(path ?? `${dataDir}/evidence`, cwd),
        retentionDays,
      };
    case 'azure-blob':
      return {
        kind: 'azure-blob',
        connectionString: requireField('connectionString'),
        container: requireField('container'),
        retentionDays,
      };
    case 's3':
      return {
        kind: 's3',
        bucket: requireField('bucket'),
        prefix: (section.prefix as string) ?? '',
        retentionDays,
      };
    default:
      return { kind: 'none', retentionDays };
  }
}
