export { LeaderElection } from './leader-election.js';
export type { Candidate, LeaderElectionOptions } from './leader-election.js';
export { Leadership } from './leadership.js';
export type { RunOptions } from './run-while-leading.js';
