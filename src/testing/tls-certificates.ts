import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TlsSetupError } from './errors.js';

const run = promisify(execFile);

/** The client certificate's subject as ZooKeeper names it (RFC 2253: most specific part first). */
export const CLIENT_SUBJECT = 'CN=zkcoord-client,O=zkcoord';
/** The same subject in openssl's `-subj` form, which lists the parts the other way round. */
const CLIENT_SUBJ_ARG = '/O=zkcoord/CN=zkcoord-client';
/** Long enough for any test run; short, since the CA key sits in a temp directory. */
const VALID_DAYS = '7';

/** PEM files of one test CA, a server certificate signed by it and a client certificate. */
export interface TlsCertificates {
  /** The CA certificate: a client's `ca`, and the server's trust store. */
  readonly caFile: string;
  /** Server key and certificate in one PEM file: the server's key store. */
  readonly serverStoreFile: string;
  readonly ca: string;
  /** The client certificate (subject {@link CLIENT_SUBJECT}) and its unencrypted key. */
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * The extensions of each certificate. The server's names 127.0.0.1 and localhost, so a client
 * verifies it whether it dials the IP (no SNI) or the name.
 */
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = zkcoord
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

/**
 * Makes a fresh CA, server and client certificate (P-256 keys) with the `openssl` command in
 * `dir`: node:crypto can make keys but not certificates. Rejects with TlsSetupError when openssl
 * is missing or fails.
 */
export async function makeTlsCertificates(dir: string): Promise<TlsCertificates> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'openssl.cnf'), OPENSSL_CONFIG, 'utf8');
  // Run in `dir` with relative names, so no argument holds a space and each command reads as one line.
  const openssl = async (command: string): Promise<void> => {
    await runOpenssl(command.split(' '), dir);
  };
  const newKey = `-config openssl.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes`;
  await openssl(
    `req -x509 ${newKey} -extensions ca_ext -days ${VALID_DAYS} -keyout ca.key -out ca.pem -subj /O=zkcoord/CN=zkcoord-test-CA`,
  );
  for (const [name, subject] of [
    ['server', '/O=zkcoord/CN=localhost'],
    ['client', CLIENT_SUBJ_ARG],
  ] as const) {
    await openssl(`req -new ${newKey} -keyout ${name}.key -out ${name}.csr -subj ${subject}`);
    await openssl(
      `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -set_serial 0x${randomBytes(8).toString('hex')} ` +
        `-days ${VALID_DAYS} -extfile openssl.cnf -extensions ${name}_ext -out ${name}.pem`,
    );
  }
  const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  const serverStoreFile = join(dir, 'server-store.pem');
  await writeFile(serverStoreFile, (await read('server.key')) + (await read('server.pem')), 'utf8');
  return {
    caFile: join(dir, 'ca.pem'),
    serverStoreFile,
    ca: await read('ca.pem'),
    clientCert: await read('client.pem'),
    clientKey: await read('client.key'),
  };
}

async function runOpenssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TlsSetupError(
        'TLS test servers need the `openssl` command to make certificates, and it is not on ' +
          'PATH. Install it (`sudo apt-get install -y --no-install-recommends openssl`, or run ' +
          '`sudo bash scripts/install-zookeeper.sh`).',
        { cause: error },
      );
    }
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new TlsSetupError(
      `openssl ${args[0] ?? ''} failed while making test certificates: ${String(stderr ?? error).trim()}`,
      { cause: error },
    );
  }
}
