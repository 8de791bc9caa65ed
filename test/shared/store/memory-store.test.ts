import { createMemoryStore } from '../../../shared/store/memory-store.ts';
import { describeStateStoreContract } from './state-store-contract.ts';

describeStateStoreContract('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
