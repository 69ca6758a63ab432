/**
 * zkcoord recipes: distributed locks and coordination on the client. The locks (Mutex,
 * ReadWriteLock, Semaphore, MultiLock) are the next to arrive; until then this entry point exports
 * nothing.
 */
export {};
