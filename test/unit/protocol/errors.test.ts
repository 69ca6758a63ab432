import { describe, expect, it } from 'vitest';
import { ProtocolError, ZkCoordError } from '../../../src/protocol/index.js';

describe('errors', () => {
  it('ProtocolError is a ZkCoordError with a stable code and its class name', () => {
    const cause = new Error('inner');
    const e = new ProtocolError('bad frame', { cause });
    expect(e).toBeInstanceOf(ZkCoordError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('PROTOCOL_ERROR');
    expect(e.name).toBe('ProtocolError');
    expect(e.message).toBe('bad frame');
    expect(e.cause).toBe(cause);
  });

  it('subclasses get their own name without setting it', () => {
    class NoNodeError extends ZkCoordError {
      constructor() {
        super('NONODE', 'no node');
      }
    }
    expect(new NoNodeError().name).toBe('NoNodeError');
    expect(new ZkCoordError('X', 'y').name).toBe('ZkCoordError');
  });
});
