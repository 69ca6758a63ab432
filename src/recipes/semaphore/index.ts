export { Semaphore } from './semaphore.js';
export type { SemaphoreAcquireOptions, SemaphoreOptions } from './semaphore.js';
