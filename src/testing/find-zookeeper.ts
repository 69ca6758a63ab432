import { constants } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { JavaNotFoundError, ZooKeeperNotFoundError } from './errors.js';

/**
 * Where the jars came from: an unpacked release, Debian's package, or a release resolved from
 * Maven Central by `scripts/install-zookeeper.sh` for a ZOOKEEPER_VERSION.
 */
export type ZooKeeperSource = 'ZOOKEEPER_HOME' | 'debian' | 'maven';

export interface ZooKeeperInstallation {
  /** Absolute path of the `java` executable. */
  java: string;
  /** Jars to put on `-cp`, including an slf4j binding when one could be found. */
  classpath: string[];
  /** Like `3.8.0`, from the jar's file name; undefined when the name carries none. */
  version: string | undefined;
  source: ZooKeeperSource;
}

type Jars = Omit<ZooKeeperInstallation, 'java'>;

/** Returns undefined when its source is absent; throws when it is configured but unusable. */
type Locator = (env: NodeJS.ProcessEnv) => Promise<Jars | undefined>;

const DEBIAN_JAVA_DIR = '/usr/share/java';
const DEBIAN_ZOOKEEPER_JAR = `${DEBIAN_JAVA_DIR}/zookeeper.jar`;
const DEBIAN_SLF4J_SIMPLE_JAR = `${DEBIAN_JAVA_DIR}/slf4j-simple.jar`;

const INSTALL_HINT =
  'Install it with `sudo bash scripts/install-zookeeper.sh` (from the zkcoord package), or ' +
  '`sudo apt-get install -y --no-install-recommends zookeeper libslf4j-java` on Debian/Ubuntu, ' +
  'or set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper binary release.';

/** Versioned server jar (`zookeeper-3.8.0.jar`), not `zookeeper-jute-…` or other modules. */
const SERVER_JAR = /^zookeeper-(\d+\.\d+\.\d+[\w.-]*)\.jar$/;
/** slf4j bindings (1.x) and providers (2.x); without one the server logs nothing at all. */
const SLF4J_BINDING =
  /^(slf4j-(simple|log4j12|reload4j|jdk14|nop|jcl)|logback-classic|log4j-slf4j2?-impl)-.*\.jar$/;

/** A release number as the install script accepts it; it becomes a directory name. */
const RELEASE = /^\d+\.\d+\.\d+[A-Za-z0-9.-]*$/;
/** Written last by the install script: a version directory without it is an interrupted fetch. */
const CACHE_MARKER = '.zkcoord-complete';

const LOCATORS: readonly Locator[] = [fromZooKeeperVersion, fromZooKeeperHome, fromDebianPackage];

/**
 * Finds a ZooKeeper server to run: ZOOKEEPER_VERSION first (that release from the Maven cache,
 * or Debian's package when it is that version), then ZOOKEEPER_HOME (an explicit choice wins
 * and must be valid), then Debian's `zookeeper` package, else throws
 * {@link ZooKeeperNotFoundError}.
 */
export async function findZooKeeper(): Promise<ZooKeeperInstallation> {
  const env = process.env;
  for (const locate of LOCATORS) {
    const jars = await locate(env);
    if (jars !== undefined) return { java: await findJava(env), ...jars };
  }
  throw new ZooKeeperNotFoundError(`No ZooKeeper installation found. ${INSTALL_HINT}`);
}

/**
 * The directory the install script fills for a release:
 * `$ZKCOORD_ZOOKEEPER_CACHE/<version>`, by default under `$XDG_CACHE_HOME` or `~/.cache`.
 */
export function zooKeeperCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = nonEmpty(env['ZKCOORD_ZOOKEEPER_CACHE']);
  if (root !== undefined) return join(root, version);
  const cache = nonEmpty(env['XDG_CACHE_HOME']) ?? join(homedir(), '.cache');
  return join(cache, 'zkcoord', 'zookeeper', version);
}

async function fromZooKeeperVersion(env: NodeJS.ProcessEnv): Promise<Jars | undefined> {
  const version = nonEmpty(env['ZOOKEEPER_VERSION']);
  if (version === undefined) return undefined;
  // Two explicit choices of a server: picking either silently could test the wrong version.
  if (nonEmpty(env['ZOOKEEPER_HOME']) !== undefined) {
    throw new ZooKeeperNotFoundError(
      `ZOOKEEPER_VERSION=${version} and ZOOKEEPER_HOME=${env['ZOOKEEPER_HOME']} are both set; ` +
        'unset one of them.',
    );
  }
  if (!RELEASE.test(version)) {
    throw new ZooKeeperNotFoundError(
      `ZOOKEEPER_VERSION=${version} is not a release number like 3.9.5.`,
    );
  }
  const dir = zooKeeperCacheDir(version, env);
  if (await exists(join(dir, CACHE_MARKER))) {
    const classpath = await listJars(dir);
    const serverJar = classpath.find((jar) => SERVER_JAR.exec(basename(jar))?.[1] === version);
    if (serverJar !== undefined) return { classpath, version, source: 'maven' };
  }
  // Debian's release needs no fetch: naming its version selects the package.
  const debian = await fromDebianPackage();
  if (debian !== undefined && debian.version === version) return debian;
  throw new ZooKeeperNotFoundError(
    `ZOOKEEPER_VERSION=${version} is set but ${dir} holds no complete ZooKeeper ${version}. ` +
      `Fetch it with \`ZOOKEEPER_VERSION=${version} bash scripts/install-zookeeper.sh\` ` +
      '(needs java and mvn; ZKCOORD_ZOOKEEPER_CACHE moves the cache), or unset ZOOKEEPER_VERSION.',
  );
}

async function fromZooKeeperHome(env: NodeJS.ProcessEnv): Promise<Jars | undefined> {
  const home = env['ZOOKEEPER_HOME'];
  if (home === undefined || home === '') return undefined;
  // The binary release keeps every jar in lib/; older releases put the server jar at the top.
  const jars = [...(await listJars(join(home, 'lib'))), ...(await listJars(home))];
  const serverJar = jars.find((jar) => SERVER_JAR.test(basename(jar)));
  if (serverJar === undefined) {
    throw new ZooKeeperNotFoundError(
      `ZOOKEEPER_HOME=${home} holds no zookeeper-<version>.jar in lib/ or at its top level. ` +
        `Point it at an unpacked apache-zookeeper-<version>-bin release, or unset it. ${INSTALL_HINT}`,
    );
  }
  const classpath = [...jars];
  if (
    !jars.some((jar) => SLF4J_BINDING.test(basename(jar))) &&
    (await exists(DEBIAN_SLF4J_SIMPLE_JAR))
  ) {
    classpath.push(DEBIAN_SLF4J_SIMPLE_JAR);
  }
  return {
    classpath,
    version: SERVER_JAR.exec(basename(serverJar))?.[1],
    source: 'ZOOKEEPER_HOME',
  };
}

async function fromDebianPackage(): Promise<Jars | undefined> {
  if (!(await exists(DEBIAN_ZOOKEEPER_JAR))) return undefined;
  if (!(await exists(DEBIAN_SLF4J_SIMPLE_JAR))) {
    // Without a binding the server runs but writes no log, which makes every failure opaque.
    throw new ZooKeeperNotFoundError(
      `${DEBIAN_ZOOKEEPER_JAR} is installed but ${DEBIAN_SLF4J_SIMPLE_JAR} is missing. ` +
        'Install it with `sudo apt-get install -y --no-install-recommends libslf4j-java` ' +
        '(or run `sudo bash scripts/install-zookeeper.sh`).',
    );
  }
  return {
    // The jar's manifest Class-Path names its other dependencies in /usr/share/java.
    classpath: [DEBIAN_ZOOKEEPER_JAR, DEBIAN_SLF4J_SIMPLE_JAR],
    version: await debianVersion(),
    source: 'debian',
  };
}

/** Debian installs zookeeper.jar plus a `zookeeper-<version>.jar` symlink to it. */
async function debianVersion(): Promise<string | undefined> {
  const target = await realpath(DEBIAN_ZOOKEEPER_JAR);
  for (const name of await readdir(DEBIAN_JAVA_DIR)) {
    const version = SERVER_JAR.exec(name)?.[1];
    if (version === undefined) continue;
    if ((await realpath(join(DEBIAN_JAVA_DIR, name)).catch(() => undefined)) === target) {
      return version;
    }
  }
  return undefined;
}

async function findJava(env: NodeJS.ProcessEnv): Promise<string> {
  const javaHome = env['JAVA_HOME'];
  if (javaHome !== undefined && javaHome !== '') {
    const java = join(javaHome, 'bin', 'java');
    if (await isExecutable(java)) return java;
    throw new JavaNotFoundError(
      `JAVA_HOME=${javaHome} has no executable bin/java. Fix or unset JAVA_HOME, or install a ` +
        'JRE (`sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless`).',
    );
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const java = join(dir, 'java');
    if (await isExecutable(java)) return java;
  }
  throw new JavaNotFoundError(
    'No `java` on PATH and JAVA_HOME is not set. Install a JRE ' +
      '(`sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless`) or set JAVA_HOME.',
  );
}

async function listJars(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names
      .filter((name) => name.endsWith('.jar'))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    // A directory named `java` on PATH has the x bit too.
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
