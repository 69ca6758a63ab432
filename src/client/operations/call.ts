import { requestRecords, responseRecords } from '../../protocol/index.js';
import type { RecordCodec, RequestOpCode } from '../../protocol/index.js';
import type { ReplyHook } from '../session/request.js';
import type { Session } from '../session/session.js';

type Body<C> = C extends RecordCodec<infer T> ? T : undefined;

/** What a request of opcode `O` carries: its record in the protocol's table (none: undefined). */
export type RequestOf<O extends RequestOpCode> = Body<(typeof requestRecords)[O]>;

/** What the answer to opcode `O` carries when it succeeds. */
export type ResponseOf<O extends RequestOpCode> = Body<(typeof responseRecords)[O]>;

/**
 * Submits a request of `opcode` with the codecs the protocol's tables give it: an operation says
 * what it sends, never which codec writes it or reads the answer (see Session.submit).
 */
export function call<O extends RequestOpCode>(
  session: Session,
  opcode: O,
  path: string | undefined,
  value: RequestOf<O>,
  onReply?: ReplyHook,
): Promise<ResponseOf<O>> {
  return session.submit(
    opcode,
    path,
    requestRecords[opcode] as RecordCodec<RequestOf<O>> | null,
    value,
    responseRecords[opcode] as RecordCodec<ResponseOf<O>> | null,
    onReply,
  );
}
