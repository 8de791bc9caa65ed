/**
 * The local runner's generated webhook token. When no webhook authentication is configured at all,
 * the runner does NOT accept unauthenticated requests, even on loopback: any web page open in the
 * developer's browser can POST to http://127.0.0.1:7071 (a "simple" cross-origin request needs no
 * CORS preflight, and DNS rebinding reaches loopback too), and so can every other local user and
 * process. Instead it generates a random token once, keeps it in `<data dir>/local-token` (mode 0600)
 * so it survives restarts, and prints it in the startup banner.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCAL_TOKEN_FILE = 'local-token';

export interface LocalToken {
  readonly token: string;
  readonly path: string;
  /** True when this start generated it. */
  readonly created: boolean;
}

export async function ensureLocalToken(dataDir: string): Promise<LocalToken> {
  const path = join(dataDir, LOCAL_TOKEN_FILE);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(existing)) return { token: existing, path, created: false };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return { token, path, created: true };
}
