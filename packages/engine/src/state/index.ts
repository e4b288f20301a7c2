export { STATE_VERSION, StateJson, StateResource, StatePlacement, JournalEntry, StateJournal, JOURNAL_STATUSES, type JournalStatus, type State } from './schema.ts';
export type { StateStore, StateLock, LockInfo, HistoryEntry } from './store.ts';
export { LocalStateStore, type LocalStateStoreOptions } from './local-store.ts';
export { migrateSecretVersions, secretVersion } from '../secrets/secret-version.ts';
export { newState } from './new-state.ts';
