/**
 * The production sink factory for the cloud runtimes: the notify module's createConfiguredSinks,
 * loaded on first use. Only functions that send notifications import this file, so the others'
 * bundles carry no sink code (SES, SNS, SMTP…).
 */
import type { CreateSinks } from './open-runtime.ts';

export const createNotifySinks: CreateSinks = async (configs, deps) => {
  const { createConfiguredSinks } = await import('../notify/configured-sinks.ts');
  return createConfiguredSinks({ sinks: configs }, deps);
};
