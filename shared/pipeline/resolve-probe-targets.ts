/**
 * The probe targets a deployment runs: the default catalog filled from the configured tenant
 * placeholders (targets needing an unset placeholder are skipped and listed, never an error), plus
 * the targets file's entries, minus disabled ones and — when `controls` is off — control targets.
 */
import type { ProbesConfig } from '../config/crosswatch-config.ts';
import { buildCatalog, mergeTargets, type SkippedTarget } from '../probe/catalog.ts';
import type { TargetSpec } from '../probe/target-types.ts';
import { parseTargetsFile, TargetsFileError } from '../probe/targets-file.ts';

export interface ResolvedTargets {
  readonly targets: readonly TargetSpec[];
  readonly skipped: readonly SkippedTarget[];
}

/** The targets file cannot be read or is invalid: the message names the file and the entry. */
export class ProbeTargetsError extends Error {
  override name = 'ProbeTargetsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export async function resolveProbeTargets(
  probes: ProbesConfig,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<ResolvedTargets> {
  let own: readonly TargetSpec[] = [];
  let disable: readonly string[] = [];
  let fileCatalog = {};
  if (probes.targetsFile !== null) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(probes.targetsFile);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ProbeTargetsError(
        `${probes.targetsFile}: ${code === 'ENOENT' ? 'no such file' : 'cannot be read'}`,
        {
          cause: error,
        },
      );
    }
    try {
      const file = parseTargetsFile(bytes);
      own = file.targets;
      disable = file.disable;
      fileCatalog = file.catalog;
    } catch (error) {
      if (error instanceof TargetsFileError) {
        throw new ProbeTargetsError(`${probes.targetsFile}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
  const built =
    probes.catalog === 'default'
      ? buildCatalog({ ...fileCatalog, ...probes.tenant })
      : { targets: [], skipped: [] };
  const targets = mergeTargets(built.targets, own, disable).filter(
    (target) => probes.controls || !target.control,
  );
  return { targets, skipped: built.skipped };
}
