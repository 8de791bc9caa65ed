/**
 * The local runner's generated webhook token. When no webhook authentication is configured at all,
 * the runner does NOT accept unauthenticated requests, even on loopback: any web page open in the
 * developer's browser can POST to http://127.0.0.1:7071 (a "simple" cross-origin request needs no
 * CORS preflight, and DNS rebinding reaches loopback too), and so can every other local user and
 * process. Instead it generates a random token once, keeps it in `<data dir>/local-token` (mode 0600)
 * so it survives restarts, and the startup banner prints it on a terminal (else the file's path).
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateDirectory, PRIVATE_FILE_MODE } from '../../shared/util/private-files.ts';

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
    if (/^[A-Za-z0-9_-]{32,}$/.test(existing)) {
      // A token file made readable by others (copied, restored from a backup) is closed again.
      await chmod(path, PRIVATE_FILE_MODE);
      return { token: existing, path, created: false };
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  await createPrivateDirectory(dataDir);
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: PRIVATE_FILE_MODE });
  // writeFile's mode applies only to a new file, and through the umask: set it exactly.
  await chmod(path, PRIVATE_FILE_MODE);
  return { token, path, created: true };
}
