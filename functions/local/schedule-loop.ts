/**
 * Runs a task on a schedule (interval or cron), never overlapping itself; `stop` cancels the next
 * run and waits for the one in flight to finish (graceful shutdown finishes in-flight work).
 */
import { computeNextDelay, type Schedule } from '../../shared/config/schedule.ts';

export interface ScheduleLoop {
  /** Runs the task now (outside the schedule) unless a run is in flight; resolves when it is done. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface ScheduleLoopOptions {
  readonly schedule: Schedule;
  readonly now: () => Date;
  /** `scheduledAt` is the slot the run belongs to. Errors are passed to onError, never thrown. */
  readonly run: (scheduledAt: Date) => Promise<void>;
  readonly onError: (error: unknown) => void;
  /** Run once right away (default true). */
  readonly runAtStart?: boolean;
}

export function startScheduleLoop(options: ScheduleLoopOptions): ScheduleLoop {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const execute = (scheduledAt: Date): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = options
      .run(scheduledAt)
      .catch(options.onError)
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const arm = () => {
    if (stopped) return;
    const from = options.now();
    const delay = computeNextDelay(options.schedule, from);
    timer = setTimeout(() => {
      void execute(new Date(from.getTime() + delay)).finally(arm);
    }, delay);
    timer.unref?.();
  };

  if (options.runAtStart ?? true) void execute(options.now()).finally(arm);
  else arm();

  return {
    runNow: () => (stopped ? Promise.resolve() : execute(options.now())),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
