/**
 * zkcoord: a ZooKeeper client for Node.js. Recipes (locks, elections, …) are in `zkcoord/recipes`,
 * real-server test helpers in `zkcoord/testing`.
 */
export * from './client/index.js';
