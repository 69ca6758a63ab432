import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZooCfgEntries } from './zoo-cfg.js';

/** SASL DIGEST-MD5 on the client port: the users the server knows, by name. */
export interface SaslServerOptions {
  users: Record<string, string>;
}

/** What a SASL server adds to zoo.cfg and to the JVM's properties. */
export interface SaslSettings {
  readonly config: ZooCfgEntries;
  readonly properties: Record<string, string>;
}

/**
 * Writes the JAAS file (section `Server`, DigestLoginModule with one `user_<name>` per user) into
 * `dir` and returns the zoo.cfg entry enabling the SASL provider and the property naming the file.
 * Nothing when `sasl` is undefined.
 */
export async function saslSettings(
  dir: string,
  sasl: SaslServerOptions | undefined,
): Promise<SaslSettings> {
  if (sasl === undefined) return { config: {}, properties: {} };
  const options = Object.entries(sasl.users).map(([name, password]) => {
    // The name becomes part of a JAAS option name; the password a quoted JAAS string.
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw new RangeError(
        `SASL user names are letters, digits, _ . -, got ${JSON.stringify(name)}`,
      );
    }
    if (/[\r\n]/.test(password)) throw new RangeError(`the password of ${name} has a line break`);
    return `  user_${name}="${password.replace(/["\\]/g, '\\$&')}"`;
  });
  const file = join(dir, 'jaas.conf');
  const module = 'org.apache.zookeeper.server.auth.DigestLoginModule required';
  await writeFile(file, `Server {\n  ${module}\n${options.join('\n')};\n};\n`, 'utf8');
  return {
    config: { 'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider' },
    properties: { 'java.security.auth.login.config': file },
  };
}
