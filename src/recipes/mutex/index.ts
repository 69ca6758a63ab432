export { Mutex, mutexDriver } from './mutex.js';
export type { MutexOptions } from './mutex.js';
