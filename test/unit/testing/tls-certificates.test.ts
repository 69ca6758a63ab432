import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TlsSetupError } from '../../../src/testing/errors.js';
import { CLIENT_SUBJECT, makeTlsCertificates } from '../../../src/testing/tls-certificates.js';
import { prepareTls } from '../../../src/testing/tls.js';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zkcoord-tls-unit-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('makeTlsCertificates', () => {
  it('makes a server certificate for 127.0.0.1 and localhost and a client one, both signed by the CA', async () => {
    const made = await makeTlsCertificates(await tempDir());
    const ca = new X509Certificate(made.ca);
    const store = await readFile(made.serverStoreFile, 'utf8');
    expect(store).toMatch(/BEGIN PRIVATE KEY/);
    const server = new X509Certificate(store);
    const client = new X509Certificate(made.clientCert);

    expect(ca.ca).toBe(true);
    for (const cert of [server, client]) {
      expect(cert.ca).toBe(false);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
    }
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    // node prints the subject one part a line, in certificate order; ZooKeeper names it RFC 2253 style.
    expect(client.subject.split('\n').reverse().join(',')).toBe(CLIENT_SUBJECT);
    expect(client.checkPrivateKey(createPrivateKey(made.clientKey))).toBe(true);
  });

  it('says to install openssl when it is not on PATH', async () => {
    const dir = await tempDir();
    const path = process.env['PATH'];
    process.env['PATH'] = dir;
    try {
      const error: unknown = await makeTlsCertificates(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsSetupError);
      expect((error as Error).message).toMatch(/apt-get install .*openssl/);
    } finally {
      process.env['PATH'] = path;
    }
  });
});

describe('prepareTls', () => {
  it('refuses an unknown clientAuth before making anything', async () => {
    const dir = await tempDir();
    const option = { clientAuth: 'always' } as unknown as { clientAuth: 'need' };
    await expect(prepareTls(option, dir)).rejects.toBeInstanceOf(RangeError);
  });

  it('defaults to clientAuth want, with a Netty PEM configuration', async () => {
    const setup = await prepareTls(true, await tempDir());
    expect(setup?.clientAuth).toBe('want');
    expect(setup?.config).toMatchObject({
      serverCnxnFactory: 'org.apache.zookeeper.server.NettyServerCnxnFactory',
      'ssl.clientAuth': 'want',
      'ssl.keyStore.type': 'PEM',
      'ssl.trustStore.type': 'PEM',
    });
  });
});
