/**
 * TCP probe: connect time (and resolution time for a host name), then a clean close. Refused, reset,
 * unreachable and timeout are distinct codes.
 */
import { connect, isIP, type Socket } from 'node:net';
import type { ProbeErrorCode } from '../event/vocabulary.ts';
import { classifyError, classifyTimeout, describeError, type ProbePhase } from './classify-error.ts';
import { createEmptyPhases, type ProbeContext, type ProbeReport, roundMs } from './probe-types.ts';
import type { TcpTarget } from './target-types.ts';

export function probeTcp(target: TcpTarget, ctx: ProbeContext): Promise<ProbeReport> {
  const start = ctx.now();
  const phases = createEmptyPhases();
  const elapsed = () => roundMs(ctx.now() - start);
  let phase: ProbePhase = isIP(target.host) ? 'connect' : 'dns';
  return new Promise<ProbeReport>((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (report: Omit<ProbeReport, 'phases'>) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      phases.totalMs = elapsed();
      socket?.destroy();
      resolve({ ...report, phases });
    };
    const fail = (error: ProbeErrorCode, errorDetail: string, aborted = false) =>
      finish({ outcome: 'down', latencyMs: null, error, errorDetail, observations: {}, aborted });
    const onAbort = () => fail(classifyTimeout(phase), `no ${phase} completion within ${elapsed()} ms`, true);
    if (ctx.signal.aborted) {
      fail(classifyTimeout(phase), 'aborted before start', true);
      return;
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const sock = connect({ host: target.host, port: target.port });
    socket = sock;
    sock.once('lookup', () => {
      phases.dnsMs = elapsed();
      phase = 'connect';
    });
    sock.once('connect', () => {
      phases.connectMs = elapsed();
      finish({
        outcome: 'up',
        latencyMs: phases.connectMs,
        error: null,
        errorDetail: null,
        observations: { remoteAddress: sock.remoteAddress ?? null },
        aborted: false,
      });
    });
    sock.on('error', (error) => fail(classifyError(error, phase), describeError(error)));
  });
}
