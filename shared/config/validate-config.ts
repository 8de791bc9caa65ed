/**
 * `validateConfig` takes the parsed document (file, CROSSWATCH_CONFIG, or the merge of those with
 * CROSSWATCH_* settings), checks it against the generated JSON Schema (unknown keys and bad values
 * fail with one line naming the setting: `crosswatch.config.json: probes.timeoutMs: must be an
 * integer between 100 and 60000`), then lets each section validate itself (the engine and notify
 * sections through their own validators), and resolves defaults and paths.
 */
import type { EngineConfig } from '../engine/engine-config.ts';
import { computeDefaultQuorum } from '../mesh/mesh-peer.ts';
import { readPath } from '../util/read.ts';
import { collectSecrets } from './collect-secrets.ts';
import { applyConfigSchema, readSection } from './config-document.ts';
import { ConfigError, type CrosswatchConfig } from './crosswatch-config.ts';
import { resolveAbsolutePath } from './setting-values.ts';
import { validateEngine } from './validate-engine.ts';
import { validateEvidence } from './validate-evidence.ts';
import { validateMesh } from './validate-mesh.ts';
import { validateNotify } from './validate-notify.ts';
import { validatePollers } from './validate-pollers.ts';
import { validateProbes } from './validate-probes.ts';
import { validateServer } from './validate-server.ts';
import { validateStore } from './validate-store.ts';
import { validateWatchdog } from './validate-watchdog.ts';
import { validateWebhook } from './validate-webhook.ts';
import { SchemaViolation } from './walk-json-schema.ts';

/** Unless `engine.verdict.quorum` is set: a majority of the vantages the mesh gives (mesh-peer.ts). */
function withDefaultQuorum(
  engine: EngineConfig,
  section: unknown,
  peers: Parameters<typeof computeDefaultQuorum>[0],
): EngineConfig {
  if (readPath(section, 'verdict', 'quorum') !== undefined) return engine;
  return { ...engine, verdict: { ...engine.verdict, quorum: computeDefaultQuorum(peers) } };
}

/**
 * Validates a parsed configuration document and resolves it. `source` names it in errors
 * (`crosswatch.config.json`, `CROSSWATCH_CONFIG`); relative paths resolve against `cwd`.
 */
export function validateConfig(
  value: unknown,
  source: string,
  options: { readonly cwd?: string } = {},
): CrosswatchConfig {
  const cwd = options.cwd ?? process.cwd();
  try {
    const doc = applyConfigSchema(value);
    const dataDir = resolveAbsolutePath(doc.dataDir, cwd);
    const vantage = readSection('vantage', doc.vantage);
    const store = validateStore(doc.store ?? { kind: 'sqlite' }, dataDir, cwd);
    const evidence = validateEvidence(readSection('evidence', doc.evidence), dataDir, cwd);
    const mesh = validateMesh(readSection('mesh', doc.mesh), vantage.id);
    const engine = withDefaultQuorum(validateEngine(doc.engine), doc.engine, mesh.peers);
    const notify = validateNotify(doc.notify);
    const probes = validateProbes(readSection('probes', doc.probes), cwd);
    const webhook = validateWebhook(readSection('webhook', doc.webhook));
    const pollers = validatePollers(readSection('pollers', doc.pollers));
    const watchdog = validateWatchdog(readSection('watchdog', doc.watchdog));
    return {
      source,
      dataDir,
      vantage: { id: vantage.id, cloud: vantage.cloud, region: vantage.region },
      server: validateServer(readSection('server', doc.server)),
      store,
      evidence,
      probes,
      engine,
      notify,
      webhook,
      pollers,
      watchdog,
      mesh,
      log: readSection('log', doc.log),
      secrets: [...new Set(collectSecrets(value))],
    };
  } catch (error) {
    if (error instanceof SchemaViolation)
      throw new ConfigError(source, error.path, error.problem, { cause: error });
    throw error;
  }
}
