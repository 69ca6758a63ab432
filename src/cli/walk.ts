import { BadVersionError, NoNodeError, NotEmptyError } from '../index.js';
import type { VersionOptions, ZooKeeper } from '../index.js';

/** A node and, sorted by name, the nodes below it that still existed when they were read. */
export interface TreeNode {
  readonly name: string;
  readonly path: string;
  readonly children: readonly TreeNode[];
}

/** Requests in flight at once: enough to pipeline well, few enough not to swamp the server. */
const IN_FLIGHT = 64;

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Runs at most `limit` of the functions given to it at once. */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };
}

/**
 * A count on stderr while a walk takes more than a second, and only on a terminal: scripts get
 * clean stderr, people see it has not hung.
 */
class Progress {
  private readonly started = performance.now();
  private shownAt = 0;
  private count = 0;

  constructor(private readonly label: string) {}

  tick(): void {
    this.count++;
    const now = performance.now();
    if (!process.stderr.isTTY || now - this.started < 1000 || now - this.shownAt < 200) return;
    this.shownAt = now;
    process.stderr.write(`\r${this.label}: ${this.count} nodes read…`);
  }

  done(): void {
    if (this.shownAt !== 0) process.stderr.write('\r\u001b[K');
  }
}

/** The subtree at `root`, read with pipelined getChildren calls. Rejects with NoNodeError for `root`. */
export async function walk(zk: ZooKeeper, root: string, label: string): Promise<TreeNode> {
  const limit = limiter(IN_FLIGHT);
  const progress = new Progress(label);
  const visit = async (name: string, path: string): Promise<TreeNode | undefined> => {
    let children: string[];
    try {
      ({ children } = await limit(() => zk.getChildren(path)));
    } catch (error) {
      // A node deleted since its parent was listed is simply no longer part of the tree.
      if (path !== root && error instanceof NoNodeError) return undefined;
      throw error;
    }
    progress.tick();
    const nodes = await Promise.all(
      children.sort().map((child) => visit(child, childPath(path, child))),
    );
    return { name, path, children: nodes.filter((node) => node !== undefined) };
  };
  try {
    const tree = await visit(root === '/' ? '/' : root.slice(root.lastIndexOf('/') + 1), root);
    if (tree === undefined) throw new NoNodeError(root);
    return tree;
  } finally {
    progress.done();
  }
}

/** Every path of the tree, parents before their children. */
export function paths(node: TreeNode): string[] {
  return [node.path, ...node.children.flatMap(paths)];
}

/** Attempts at `rm -R` when nodes keep being added below the one being removed. */
const REMOVE_ATTEMPTS = 5;

/**
 * Deletes `root` and everything below it, depth first. Nodes already gone are fine; a node given
 * a new child meanwhile makes the whole subtree be read and removed again. A `version` is checked
 * first, so a mismatch deletes nothing, and again by the final delete.
 */
export async function removeTree(
  zk: ZooKeeper,
  root: string,
  options: VersionOptions,
  label: string,
): Promise<void> {
  if (options.version !== undefined && options.version !== -1) {
    const stat = await zk.exists(root);
    if (stat === null) throw new NoNodeError(root);
    if (stat.version !== options.version) throw new BadVersionError(root);
  }
  const limit = limiter(IN_FLIGHT);
  const remove = async (node: TreeNode): Promise<void> => {
    await Promise.all(node.children.map(remove));
    if (node.path === root) return;
    try {
      await limit(() => zk.delete(node.path));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await remove(await walk(zk, root, label));
      await zk.delete(root, options);
      return;
    } catch (error) {
      if (!(error instanceof NotEmptyError) || attempt === REMOVE_ATTEMPTS) throw error;
    }
  }
}
