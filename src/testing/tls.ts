import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZooKeeperInstallation } from './find-zookeeper.js';
import { CLIENT_SUBJECT, makeTlsCertificates } from './tls-certificates.js';
import type { ZooCfgEntries } from './zoo-cfg.js';

/** `ssl.clientAuth`: whether the server asks for a client certificate, and if it must be there. */
export type TlsClientAuth = 'none' | 'want' | 'need';

/** A server's `tls` option: `true` is `{ clientAuth: 'want' }`. */
export type ZooKeeperTlsOption = true | { readonly clientAuth?: TlsClientAuth };

/**
 * A server's TLS client port and what a client needs for it. `ca`, `cert` and `key` are PEM
 * strings to pass straight to the client's `tls` option.
 */
export interface ZooKeeperServerTls {
  /** The `secureClientPort` on 127.0.0.1 (the plaintext `port` stays open too). */
  readonly port: number;
  /** `127.0.0.1:<secure port>`. */
  readonly connectString: string;
  readonly clientAuth: TlsClientAuth;
  /** The test CA that signed the server's and the client's certificate. */
  readonly ca: string;
  /** A client certificate the server trusts, and its key. */
  readonly cert: string;
  readonly key: string;
  /** The client certificate's subject: with it, a session's id is `{ scheme: 'x509', id: clientSubject }`. */
  readonly clientSubject: string;
}

/** TLS set-up shared by the members of one server or ensemble: certificates and zoo.cfg entries. */
export interface TlsSetup {
  readonly clientAuth: TlsClientAuth;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Entries for every member's zoo.cfg except the port, which {@link secureClientPortEntries} adds. */
  readonly config: ZooCfgEntries;
}

const HOST = '127.0.0.1';
/** Debian's zookeeper.jar manifest omits this Netty module, which the TLS (Netty) server needs. */
const DEBIAN_NETTY_CODEC_JAR = '/usr/share/java/netty-codec.jar';

/** Makes certificates in `<workDir>/tls` and the zoo.cfg entries for a TLS client port. */
export async function prepareTls(
  option: ZooKeeperTlsOption | undefined,
  workDir: string,
): Promise<TlsSetup | undefined> {
  if (option === undefined) return undefined;
  const clientAuth = option === true ? 'want' : (option.clientAuth ?? 'want');
  if (!['none', 'want', 'need'].includes(clientAuth)) {
    throw new RangeError(`tls.clientAuth must be 'none', 'want' or 'need', not ${clientAuth}`);
  }
  const certificates = await makeTlsCertificates(join(workDir, 'tls'));
  return {
    clientAuth,
    ca: certificates.ca,
    cert: certificates.clientCert,
    key: certificates.clientKey,
    config: {
      // The default NIO connection factory has no TLS.
      serverCnxnFactory: 'org.apache.zookeeper.server.NettyServerCnxnFactory',
      'ssl.keyStore.location': certificates.serverStoreFile,
      'ssl.keyStore.type': 'PEM',
      'ssl.trustStore.location': certificates.caFile,
      'ssl.trustStore.type': 'PEM',
      'ssl.clientAuth': clientAuth,
    },
  };
}

/** The per-member zoo.cfg entries of a TLS client port. */
export function secureClientPortEntries(port: number): ZooCfgEntries {
  return { secureClientPort: port, secureClientPortAddress: HOST };
}

/** What a server with this set-up on this port offers a client. */
export function serverTls(setup: TlsSetup, port: number): ZooKeeperServerTls {
  return {
    port,
    connectString: `${HOST}:${port}`,
    clientAuth: setup.clientAuth,
    ca: setup.ca,
    cert: setup.cert,
    key: setup.key,
    clientSubject: CLIENT_SUBJECT,
  };
}

/** The installation, with the Netty jars a TLS server needs added where they are missing. */
export async function tlsInstallation(
  installation: ZooKeeperInstallation,
): Promise<ZooKeeperInstallation> {
  if (installation.source !== 'debian' || installation.classpath.includes(DEBIAN_NETTY_CODEC_JAR))
    return installation;
  try {
    await access(DEBIAN_NETTY_CODEC_JAR, constants.R_OK);
  } catch {
    // Without it the server still starts and fails each TLS connection; its log says why.
    return installation;
  }
  return { ...installation, classpath: [...installation.classpath, DEBIAN_NETTY_CODEC_JAR] };
}
