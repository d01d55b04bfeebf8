// The v2 keyspace's public surface, for the api and server layers. Re-exports only; the
// internals (tree, apply handlers, record encodings) stay private to this folder.

export { commandForRequest, checkCommand, v2CommandOps } from './v2-command.js';
export type { V2Command, V2CommandOp, V2WriteRequest } from './v2-command.js';
export { ErrorCode, V2Error, errorCodeEntry, errorCodeRegistry, isV2Error } from './v2-error.js';
export type { ErrorCodeEntry, V2ErrorJson } from './v2-error.js';
export { V2Event, v2Actions } from './v2-event.js';
export type { V2Action, V2EventJson } from './v2-event.js';
export type { NodeJson } from './node.js';
export { EventHistory, historyEventsMaxDefault } from './event-history.js';
export { WatchHub, watchersMaxDefault, streamPendingEventsMaxDefault } from './watch-hub.js';
export type { WatchHubLimits, WatchRequest } from './watch-hub.js';
export { Watcher } from './watcher.js';
export type { WatchCallback, WatchDelivery } from './watcher.js';
export { normalizeKey } from './key-path.js';
export { V2Store } from './v2-store.js';
export type { GetOptions, V2Result, V2StoreOptions, WatchOptions } from './v2-store.js';
