import { describe, expect, it } from 'vitest';
import { AuthFailedError } from '../../../src/client/errors.js';
import {
  DigestMd5Client,
  digestMd5Values,
  encodeSecret,
  parseDirectives,
} from '../../../src/client/session/sasl/digest-md5.js';

// RFC 2831 §4: the IMAP example exchange.
const RFC_CHALLENGE =
  'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
const RFC_RESPONSE =
  'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,' +
  'cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",' +
  'response=d388dad90d4bbd760a152321f2143af7,qop=auth';
const RFC_RSPAUTH = 'rspauth=ea40f60335c427b5527b84dbabcdfffd';

function rfcClient(password = 'secret'): DigestMd5Client {
  return new DigestMd5Client({
    username: 'chris',
    password,
    serviceName: 'imap',
    serverName: 'elwood.innosoft.com',
    cnonce: 'OA6MHXh6VqTrRk',
  });
}

const text = (token: Uint8Array | undefined): string => Buffer.from(token ?? []).toString('utf8');

describe('DIGEST-MD5 (RFC 2831)', () => {
  it("computes the RFC's example response and rspauth", () => {
    expect(
      digestMd5Values({
        username: 'chris',
        realm: 'elwood.innosoft.com',
        password: 'secret',
        nonce: 'OA6MG9tEQGm2hh',
        cnonce: 'OA6MHXh6VqTrRk',
        nc: '00000001',
        qop: 'auth',
        digestUri: 'imap/elwood.innosoft.com',
        utf8: true,
      }),
    ).toEqual({
      response: 'd388dad90d4bbd760a152321f2143af7',
      rspauth: 'ea40f60335c427b5527b84dbabcdfffd',
    });
  });

  it("runs the RFC's exchange: empty first token, the example response, rspauth checked", () => {
    const client = rfcClient();
    expect(client.initialResponse()).toHaveLength(0);
    expect(text(client.evaluateChallenge(Buffer.from(RFC_CHALLENGE)))).toBe(RFC_RESPONSE);
    expect(client.complete).toBe(false);
    expect(client.evaluateChallenge(Buffer.from(RFC_RSPAUTH))).toBeUndefined();
    expect(client.complete).toBe(true);
  });

  it('refuses an rspauth that does not match (a server that does not know the password)', () => {
    const client = rfcClient('not-secret');
    client.initialResponse();
    const response = text(client.evaluateChallenge(Buffer.from(RFC_CHALLENGE)));
    expect(response).not.toContain('d388dad90d4bbd760a152321f2143af7');
    const error = (() => {
      try {
        client.evaluateChallenge(Buffer.from(RFC_RSPAUTH));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(error).toMatchObject({ code: 'AUTHFAILED' });
    expect(client.complete).toBe(false);
  });

  it('refuses challenges it cannot answer safely', () => {
    const answer = (challenge: string): unknown => {
      const client = rfcClient();
      client.initialResponse();
      try {
        client.evaluateChallenge(Buffer.from(challenge));
      } catch (caught) {
        return caught;
      }
      return undefined;
    };
    expect(answer('realm="r",qop="auth",algorithm=md5-sess')).toBeInstanceOf(AuthFailedError);
    expect(answer('nonce="n",qop="auth-conf",algorithm=md5-sess')).toBeInstanceOf(AuthFailedError);
    expect(answer('nonce="n",qop="auth"')).toBeInstanceOf(AuthFailedError);
    expect(answer('nonce="n,qop="auth",algorithm=md5-sess')).toBeInstanceOf(AuthFailedError);
    expect(answer('nonce="n",algorithm=md5-sess')).toBeUndefined();
  });

  it('uses the server name as realm when the challenge names none, and escapes quotes', () => {
    const client = new DigestMd5Client({
      username: 'a"b\\c',
      password: 'pw',
      serviceName: 'zookeeper',
      serverName: 'zk-sasl-md5',
      cnonce: 'c',
    });
    client.initialResponse();
    const response = text(
      client.evaluateChallenge(
        Buffer.from('nonce="n",qop="auth",charset=utf-8,algorithm=md5-sess'),
      ),
    );
    expect(response).toContain('username="a\\"b\\\\c",realm="zk-sasl-md5"');
    expect(response).toContain('digest-uri="zookeeper/zk-sasl-md5"');
  });

  it('parses quoted lists, escapes, repeated keys and empty elements', () => {
    const parsed = parseDirectives(
      ' realm="a" , realm="b",, qop="auth,auth-int", x="q\\"t",y=tok ',
    );
    expect(parsed.get('realm')).toEqual(['a', 'b']);
    expect(parsed.get('qop')).toEqual(['auth,auth-int']);
    expect(parsed.get('x')).toEqual(['q"t']);
    expect(parsed.get('y')).toEqual(['tok']);
  });

  it('hashes Latin-1 credentials in ISO 8859-1 and others in UTF-8 (charset=utf-8)', () => {
    expect(encodeSecret('pässword', true)).toEqual(Buffer.from('pässword', 'latin1'));
    expect(encodeSecret('пароль', true)).toEqual(Buffer.from('пароль', 'utf8'));
    expect(() => encodeSecret('пароль', false)).toThrow(AuthFailedError);
  });
});
