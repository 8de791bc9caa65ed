/** A ProbeContext for calling one probe directly: real clock, a timeout signal, an optional CA. */
import type { ProbeContext } from '../../shared/probe/probe-types.ts';
import type { TargetSpec } from '../../shared/probe/target-types.ts';
import { parseTarget } from '../../shared/probe/targets-file.ts';

export function createProbeContext(
  options: { timeoutMs?: number; ca?: string; signal?: AbortSignal } = {},
): ProbeContext {
  return {
    signal: options.signal ?? AbortSignal.timeout(options.timeoutMs ?? 5000),
    now: () => performance.now(),
    wallNow: () => new Date(),
    ...(options.ca ? { ca: options.ca } : {}),
  };
}

/** A target validated exactly as a targets-file entry would be. */
export function makeTarget<K extends TargetSpec['kind']>(
  entry: Record<string, unknown> & { kind: K },
): Extract<TargetSpec, { kind: K }> {
  return parseTarget({ id: `t-${entry.kind}`, plane: 'edge', ...entry }, 'test target') as Extract<
    TargetSpec,
    { kind: K }
  >;
}
