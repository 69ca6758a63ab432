import { OpCode } from '../../protocol/index.js';
import type { MultiOp, MultiResult, Stat } from '../../protocol/index.js';
import { errorFromCode, ProtocolError } from '../errors.js';
import type { ZooKeeperError } from '../errors.js';
import type { OpContext } from './context.js';
import { asBuffer } from '../values.js';
import { call } from './call.js';

export interface GetDataReadResult {
  readonly type: 'getData';
  /** The node's data; a node created with no data reads as an empty buffer. */
  readonly data: Buffer;
  readonly stat: Stat;
}
export interface GetChildrenReadResult {
  readonly type: 'getChildren';
  /** Child names (not paths), unordered. The server sends no Stat for this op. */
  readonly children: string[];
}
/** One read of a multiRead failed (e.g. NoNodeError); the others are unaffected. */
export interface ReadErrorResult {
  readonly type: 'error';
  /** The error class of the server's code, with the op's path as the caller gave it. */
  readonly error: ZooKeeperError;
}
export type ReadResult = GetDataReadResult | GetChildrenReadResult | ReadErrorResult;

/**
 * A multiRead (opcode 22, servers 3.6+): reads sent as one request and answered together. It is
 * not atomic and not all-or-nothing: each read succeeds or fails on its own, so a failure is a
 * result of its own, not a rejection. Builder methods validate their path at once (throwing
 * InvalidArgumentError); the builder's type records each read, so `commit()` resolves to a typed
 * tuple.
 *
 * ```ts
 * const [config, jobs] = await zk.multiRead().getData('/config').getChildren('/jobs').commit();
 * if (config.type === 'getData') use(config.data);
 * ```
 */
export class MultiRead<Results extends readonly ReadResult[] = []> {
  private readonly ops: MultiOp[] = [];
  private readonly paths: string[] = [];

  constructor(private readonly ctx: OpContext) {}

  /** Adds a getData, sent without a watch as the Java client sends it. */
  getData(path: string): MultiRead<[...Results, GetDataReadResult | ReadErrorResult]> {
    return this.add(path, {
      type: OpCode.getData,
      request: { path: this.ctx.serverPath(path), watch: false },
    });
  }

  /** Adds a getChildren (names only: the reply has no Stat), sent without a watch. */
  getChildren(path: string): MultiRead<[...Results, GetChildrenReadResult | ReadErrorResult]> {
    return this.add(path, {
      type: OpCode.getChildren,
      request: { path: this.ctx.serverPath(path), watch: false },
    });
  }

  private add<Next extends readonly ReadResult[]>(path: string, op: MultiOp): MultiRead<Next> {
    this.ops.push(op);
    this.paths.push(path);
    return this as unknown as MultiRead<Next>;
  }

  /** How many reads the multiRead holds. */
  get size(): number {
    return this.ops.length;
  }

  /**
   * Sends the reads. Resolves to one result per read, in order. Rejects only when the request as
   * a whole fails: the connection errors, or e.g. UnimplementedError from a server before 3.6.
   */
  async commit(): Promise<Results> {
    // Nothing to ask: the server would answer an empty request with only the terminator anyway.
    if (this.ops.length === 0) return [] as unknown as Results;
    const results = await call(this.ctx.session, OpCode.multiRead, this.paths[0], this.ops);
    if (results.length !== this.ops.length) {
      throw new ProtocolError(
        `multiRead answered ${results.length} results for ${this.ops.length} reads`,
      );
    }
    return results.map((result, i) => this.toReadResult(result, i)) as unknown as Results;
  }

  private toReadResult(result: MultiResult, index: number): ReadResult {
    const sent = this.ops[index]?.type;
    if (result.type === 4 && sent === OpCode.getData) {
      return { type: 'getData', data: asBuffer(result.data), stat: result.stat };
    }
    if (result.type === 8 && sent === OpCode.getChildren) {
      return { type: 'getChildren', children: result.children };
    }
    if (result.type === -1 && result.err !== 0) {
      return { type: 'error', error: errorFromCode(result.err, this.paths[index]) };
    }
    throw new ProtocolError(
      `unexpected result type ${result.type} for read ${index} (op ${String(sent)}) in a multiRead reply`,
    );
  }
}
