/**
 * Readers for setting values several sections share: a path resolved against the working
 * directory, a schedule expression parsed with its dotted setting path in the error.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseSchedule, type Schedule, ScheduleError } from './schedule.ts';
import { SchemaViolation } from './walk-json-schema.ts';

export function readSchedule(text: string, path: string): Schedule {
  try {
    return parseSchedule(text);
  } catch (error) {
    if (error instanceof ScheduleError) throw new SchemaViolation(path, error.message);
    throw error;
  }
}

export function resolveAbsolutePath(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
