/**
 * Who holds an outbox lease, and whether that holder is certainly gone. A lease names its holder's
 * host and process id besides its owner id; a worker that finds a lease held by a process of its own
 * host that no longer exists (killed with SIGKILL, crashed) takes the delivery over at once instead of
 * waiting for the lease to run out. Holders on other hosts (other cloud instances) cannot be checked
 * and keep their lease until it expires — which is short, since a holder renews it while it sends.
 */
import { hostname } from 'node:os';

export interface LeaseHolder {
  readonly host: string;
  readonly pid: number;
}

/** This process, as a lease holder. */
export function describeThisProcess(): LeaseHolder {
  return { host: hostname(), pid: process.pid };
}

/** True when a process with this id exists on this host (signal 0 checks without sending). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True only when the holder is certainly gone: same host as `self`, another process, and that
 * process does not exist. Anything unknown (no holder recorded, another host) is presumed alive.
 */
export function isLeaseHolderGone(
  holder: Partial<LeaseHolder> | undefined,
  self: LeaseHolder,
  isAlive: (pid: number) => boolean = isProcessAlive,
): boolean {
  if (!holder || holder.host !== self.host || typeof holder.pid !== 'number') return false;
  if (holder.pid === self.pid || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  return !isAlive(holder.pid);
}
