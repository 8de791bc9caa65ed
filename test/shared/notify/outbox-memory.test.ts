/** The outbox contract on the in-process memory store. */
import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { describeOutboxContract } from './outbox-contract.ts';

describeOutboxContract('memory', async () => {
  const store = createMemoryStore();
  return { store, second: () => null, cleanup: () => store.close() };
});
