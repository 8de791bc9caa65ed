/**
 * The scheduled invocations' input. EventBridge Scheduler passes the target input configured on the
 * schedule; the CDK app sets it to
 * `{"scheduledTime":"<aws.scheduler.scheduled-time>","executionId":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>"}`.
 * An EventBridge rule schedule passes a `Scheduled Event` with `time`. Both give the slot this run
 * stands for, so a retried invocation keeps the same round id.
 */
import type { ScheduledEvent } from 'aws-lambda';

export interface SchedulerInput {
  readonly scheduledTime?: string;
  readonly executionId?: string;
  readonly attempt?: string;
}

export type ScheduleEvent = SchedulerInput | ScheduledEvent;

/** The scheduled time of this invocation, or `fallback` when the event names none. */
export function readScheduledTime(event: ScheduleEvent | null | undefined, fallback: Date): Date {
  const candidate =
    event && 'scheduledTime' in event
      ? event.scheduledTime
      : event && 'time' in event
        ? event.time
        : undefined;
  const parsed = typeof candidate === 'string' ? Date.parse(candidate) : Number.NaN;
  return Number.isNaN(parsed) ? fallback : new Date(parsed);
}
