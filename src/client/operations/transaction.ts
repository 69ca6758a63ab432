import { OpCode } from '../../protocol/index.js';
import type { MultiOp, MultiResult, Stat } from '../../protocol/index.js';
import type { Chroot } from '../chroot.js';
import { encodeCreate } from './create.js';
import { errorFromCode, ProtocolError } from '../errors.js';
import type { ZooKeeperError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { CreateOptions, Data, VersionOptions } from '../types.js';
import { toBytes, validateVersion } from '../values.js';
import { call } from './call.js';

export interface CreateOpResult {
  readonly type: 'create';
  readonly path: string;
  /** The new node's Stat; undefined from servers before 3.8.2, which omit it (ZOOKEEPER-4026). */
  readonly stat: Stat | undefined;
}
export interface DeleteOpResult {
  readonly type: 'delete';
}
export interface SetDataOpResult {
  readonly type: 'setData';
  readonly stat: Stat;
}
export interface CheckOpResult {
  readonly type: 'check';
}
export type OpResult = CreateOpResult | DeleteOpResult | SetDataOpResult | CheckOpResult;

/**
 * Why a transaction failed, attached to the error it rejects with (the error of the first failing
 * operation, e.g. a NodeExistsError): one entry per operation, null for those that were fine —
 * though, the transaction being atomic, none of them was applied.
 */
export interface TransactionFailure {
  readonly failedOpIndex: number;
  readonly opErrors: readonly (ZooKeeperError | null)[];
}

/** Attached to the error a failed `commit()` rejects with. */
export type TransactionError = ZooKeeperError & { readonly transaction: TransactionFailure };

type ServerPath = (path: string, sequential: boolean) => string;

/**
 * A transaction (opcode multi): operations that all apply or none. Each method validates its
 * arguments at once (throwing InvalidArgumentError) and returns the builder, whose type records the
 * result of each operation, so `commit()` resolves to a typed tuple.
 *
 * ```ts
 * const [created, , updated] = await zk.transaction()
 *   .create('/jobs/a', 'x')
 *   .check('/config', { version: 3 })
 *   .setData('/jobs/count', '1')
 *   .commit();
 * ```
 */
export class Transaction<Results extends readonly OpResult[] = []> {
  private readonly ops: MultiOp[] = [];
  private readonly paths: string[] = [];

  constructor(
    private readonly session: Session,
    private readonly chroot: Chroot,
    private readonly toServerPath: ServerPath,
  ) {}

  /** Adds a create (every mode; see `ZooKeeper.create`). */
  create(
    path: string,
    data?: Data,
    options: CreateOptions = {},
  ): Transaction<[...Results, CreateOpResult]> {
    const encoded = encodeCreate(path, data, options, this.toServerPath);
    const op: MultiOp = encoded.ttl
      ? { type: encoded.opcode, request: encoded.record }
      : { type: encoded.opcode, request: encoded.record };
    return this.add(path, op);
  }

  /** Adds a delete; `version` -1 or absent means any. */
  delete(path: string, options: VersionOptions = {}): Transaction<[...Results, DeleteOpResult]> {
    const version = validateVersion(options.version);
    return this.add(path, {
      type: OpCode.delete,
      request: { path: this.toServerPath(path, false), version },
    });
  }

  /** Adds a setData; `version` -1 or absent means any. */
  setData(
    path: string,
    data: Data,
    options: VersionOptions = {},
  ): Transaction<[...Results, SetDataOpResult]> {
    const version = validateVersion(options.version);
    return this.add(path, {
      type: OpCode.setData,
      request: { path: this.toServerPath(path, false), data: toBytes(data), version },
    });
  }

  /** Adds a check that the node exists with `version` (-1: any version, the node must exist). */
  check(path: string, options: VersionOptions = {}): Transaction<[...Results, CheckOpResult]> {
    const version = validateVersion(options.version);
    return this.add(path, {
      type: OpCode.check,
      request: { path: this.toServerPath(path, false), version },
    });
  }

  private add<Next extends readonly OpResult[]>(path: string, op: MultiOp): Transaction<Next> {
    this.ops.push(op);
    this.paths.push(path);
    return this as unknown as Transaction<Next>;
  }

  /** How many operations the transaction holds. */
  get size(): number {
    return this.ops.length;
  }

  /**
   * Sends the transaction. Resolves to one result per operation, in order. Rejects with the error
   * of the first failing operation, carrying `transaction: TransactionFailure`; or with the usual
   * connection errors (after ConnectionLossError the outcome is unknown).
   */
  async commit(): Promise<Results> {
    if (this.ops.length === 0) return [] as unknown as Results;
    const results = await call(this.session, OpCode.multi, this.paths[0], this.ops);
    return this.interpret(results) as unknown as Results;
  }

  private interpret(results: MultiResult[]): OpResult[] {
    if (results.length !== this.ops.length) {
      throw new ProtocolError(
        `multi answered ${results.length} results for ${this.ops.length} operations`,
      );
    }
    const failed = results.findIndex((r) => r.type === -1 && r.err !== 0);
    if (failed !== -1) throw this.failure(results, failed);
    return results.map((result) => this.toOpResult(result));
  }

  private failure(results: MultiResult[], failedOpIndex: number): TransactionError {
    const opErrors = results.map((result, i) =>
      result.type === -1 && result.err !== 0 ? errorFromCode(result.err, this.paths[i]) : null,
    );
    // A fresh instance, not opErrors[failedOpIndex] itself, so the error holds no cycle and
    // serialises (e.g. with JSON.stringify in a logger).
    const failed = results[failedOpIndex];
    const error = errorFromCode(failed?.type === -1 ? failed.err : -1, this.paths[failedOpIndex]);
    return Object.assign(error, { transaction: { failedOpIndex, opErrors } });
  }

  private toOpResult(result: MultiResult): OpResult {
    switch (result.type) {
      case 1:
        return { type: 'create', path: this.chroot.fromServer(result.path), stat: undefined };
      case 15:
        return { type: 'create', path: this.chroot.fromServer(result.path), stat: result.stat };
      case 2:
        return { type: 'delete' };
      case 5:
        return { type: 'setData', stat: result.stat };
      case 13:
        return { type: 'check' };
      default:
        throw new ProtocolError(`unexpected result type ${result.type} in a multi reply`);
    }
  }
}
