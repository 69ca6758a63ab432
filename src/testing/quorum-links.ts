import { advertiseElectionAddress } from './election-handshake.js';
import { FaultProxy, type ProxyHooks } from './fault-proxy.js';
import type { ServerAddresses } from './ensemble-reconfig.js';

/** The two proxies one member uses to reach another: cut both to part them. */
export interface QuorumLink {
  /** The member whose zoo.cfg names these proxies. */
  readonly from: number;
  /** The member they forward to. */
  readonly to: number;
  /** In front of `to`'s quorum port: followers sync with the leader over it. */
  readonly quorum: FaultProxy;
  /** In front of `to`'s election port. */
  readonly election: FaultProxy;
}

const HOST = '127.0.0.1';

const LINK_HOOKS: ProxyHooks = {
  // Like the JVMs, the links must not keep a Node process that forgot stop() alive.
  background: true,
  // The proxy accepts before it reaches the target, so a learner that comes while its new leader
  // has not yet bound its port would see a connection that breaks, not a refused one it retries
  // (5 tries, 100 ms apart, in 3.8): then the leader waits initLimit for it. The proxy retries
  // in its place instead.
  connectAttempts: 5,
};

/**
 * One pair of FaultProxies per ordered pair of members, so that every member reaches every other
 * through proxies of its own: each member's zoo.cfg names the proxies it uses for the others, and
 * its own real ports for itself (it binds them). Cutting every link from and to one member
 * isolates it from the quorum while its client port stays reachable.
 */
export class QuorumLinks {
  readonly #links: ReadonlyMap<string, QuorumLink>;
  readonly #ids: readonly number[];
  readonly #isolated = new Set<number>();

  private constructor(links: ReadonlyMap<string, QuorumLink>, ids: readonly number[]) {
    this.#links = links;
    this.#ids = ids;
  }

  /** Listens for every link at once; the proxies pass until told otherwise. */
  static async start(members: readonly ServerAddresses[]): Promise<QuorumLinks> {
    const pairs = members.flatMap((from) =>
      members.filter((to) => to !== from).map((to) => ({ from: from.id, to })),
    );
    // The election proxy from A to B makes B connect back through B's proxy to A, whose port is
    // known only once that one listens: looked up when a connection comes, after start().
    const electionPorts = new Map<string, number>();
    const opaque = (port: number) => ({ target: { host: HOST, port }, traffic: 'opaque' as const });
    const started = await Promise.allSettled(
      pairs.flatMap(({ from, to }) => [
        FaultProxy.start(opaque(to.quorumPort), LINK_HOOKS),
        FaultProxy.start(opaque(to.electionPort), {
          ...LINK_HOOKS,
          rewriter: () =>
            advertiseElectionAddress(`${HOST}:${electionPorts.get(key(to.id, from)) ?? 0}`),
        }),
      ]),
    );
    const proxies = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(proxies.map((proxy) => proxy.stop()));
      throw failed.reason;
    }
    const links = new Map<string, QuorumLink>();
    pairs.forEach(({ from, to }, i) => {
      const quorum = proxies[2 * i] as FaultProxy;
      const election = proxies[2 * i + 1] as FaultProxy;
      links.set(key(from, to.id), { from, to: to.id, quorum, election });
      electionPorts.set(key(from, to.id), election.port);
    });
    return new QuorumLinks(
      links,
      members.map((m) => m.id),
    );
  }

  /** The `server.N` addresses as member `id` sees them: its own real ports, the others' proxies. */
  seenBy(id: number, members: readonly ServerAddresses[]): ServerAddresses[] {
    return members.map((member) => {
      if (member.id === id) return member;
      const link = this.link(id, member.id);
      return { ...member, quorumPort: link.quorum.port, electionPort: link.election.port };
    });
  }

  /** The proxies member `from` uses to reach member `to`. */
  link(from: number, to: number): QuorumLink {
    const link = this.#links.get(key(from, to));
    if (link === undefined) {
      throw new RangeError(`no quorum link from ${from} to ${to}; ids are ${this.#ids.join(', ')}`);
    }
    return link;
  }

  /** Holds every byte between `id` and the others, both ways, until heal(). */
  isolate(id: number): void {
    this.#requireMember(id);
    this.#isolated.add(id);
    for (const link of this.#linksOf(id)) {
      link.quorum.blackhole();
      link.election.blackhole();
    }
  }

  /** Passes the links of `id` again, except those to members still isolated; all without `id`. */
  heal(id?: number): void {
    if (id !== undefined) this.#requireMember(id);
    if (id === undefined) this.#isolated.clear();
    else this.#isolated.delete(id);
    const links = id === undefined ? [...this.#links.values()] : this.#linksOf(id);
    for (const link of links) {
      if (this.#isolated.has(link.from) || this.#isolated.has(link.to)) continue;
      link.quorum.pass();
      link.election.pass();
    }
  }

  /** Members isolate() cut off and heal() has not brought back, in id order. */
  isolated(): number[] {
    return this.#ids.filter((id) => this.#isolated.has(id));
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.#links.values()].flatMap((link) => [link.quorum.stop(), link.election.stop()]),
    );
  }

  #linksOf(id: number): QuorumLink[] {
    return [...this.#links.values()].filter((link) => link.from === id || link.to === id);
  }

  #requireMember(id: number): void {
    if (!this.#ids.includes(id)) {
      throw new RangeError(`no member ${id}; ids are ${this.#ids.join(', ')}`);
    }
  }
}

function key(from: number, to: number): string {
  return `${from}>${to}`;
}
