/**
 * The `mesh` section: each peer once, never this deployment itself, a mesh URL only with the secret
 * that signs what goes there, and every secret a valid Standard Webhooks secret.
 */
import type { MeshPeer } from '../mesh/mesh-peer.ts';
import { decodeStandardWebhookSecret } from '../util/standard-webhook-signature.ts';
import type { MeshInput } from './config-document.ts';
import { SchemaViolation } from './walk-json-schema.ts';

export function validateMesh(mesh: MeshInput, selfId: string): { readonly peers: readonly MeshPeer[] } {
  const seen = new Set<string>();
  const peers = mesh.peers.map((peer, index): MeshPeer => {
    const path = `mesh.peers[${index}]`;
    if (seen.has(peer.id)) throw new SchemaViolation(`${path}.id`, `"${peer.id}" is listed twice`);
    if (peer.id === selfId)
      throw new SchemaViolation(`${path}.id`, `"${peer.id}" is this deployment's own id`);
    seen.add(peer.id);
    if (peer.url !== undefined && peer.secret === undefined)
      throw new SchemaViolation(`${path}.secret`, 'is required with url (it signs what is sent there)');
    if (peer.url === undefined && peer.secret === undefined && peer.statusUrl === undefined)
      throw new SchemaViolation(path, 'needs a secret (to exchange results) or a statusUrl (to watch it)');
    if (peer.secret !== undefined) {
      try {
        decodeStandardWebhookSecret(peer.secret);
      } catch {
        throw new SchemaViolation(`${path}.secret`, 'must be whsec_ followed by base64 of at least 16 bytes');
      }
    }
    return {
      id: peer.id,
      url: peer.url ?? null,
      secret: peer.secret ?? null,
      statusUrl: peer.statusUrl ?? null,
      ...(peer.allowPrivate ? { allowPrivate: true } : {}),
    };
  });
  return { peers };
}
