/** The `notify` section: validated by notify itself, its errors restated with the dotted path. */
import { type NotifyConfig, validateNotifyConfig } from '../notify/notify-config.ts';
import { SchemaViolation } from './walk-json-schema.ts';

export function validateNotify(section: unknown): NotifyConfig {
  try {
    return validateNotifyConfig(section ?? {}, 'notify');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const separator = message.indexOf(': ');
    if (separator > 0 && message.startsWith('notify')) {
      throw new SchemaViolation(message.slice(0, separator), message.slice(separator + 2));
    }
    throw new SchemaViolation('notify', message);
  }
}
