/**
 * The one place where the connect string's chroot is applied to outgoing paths and stripped from
 * incoming ones. Paths under `/zookeeper/` (the server's own subtree) reach the client unchanged by
 * a chroot-less read, so events for them are passed through as they are (ZOOKEEPER-4565).
 */
export class Chroot {
  /** The chroot prefix, e.g. `/app`, or '' when there is none. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix === '/' ? '' : prefix;
  }

  /**
   * A sequential create of `/` names children of the root: under a chroot they must land in the
   * chroot (`/app/0000000001`), not beside it (`/app0000000001`, as the Java client does).
   */
  toServer(path: string, sequential = false): string {
    if (this.prefix === '') return path;
    if (path === '/') return sequential ? `${this.prefix}/` : this.prefix;
    return this.prefix + path;
  }

  fromServer(serverPath: string): string {
    const prefix = this.prefix;
    if (prefix === '') return serverPath;
    if (serverPath === prefix) return '/';
    if (serverPath.startsWith(prefix) && serverPath.charCodeAt(prefix.length) === 0x2f) {
      return serverPath.slice(prefix.length);
    }
    return serverPath;
  }
}
