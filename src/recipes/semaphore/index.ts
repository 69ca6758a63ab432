export { Semaphore } from './semaphore.js';
export type { SemaphoreOptions } from './semaphore.js';
