import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';

/** Encoder and decoder of one jute record; each record exports a codec under its own name. */
export interface RecordCodec<T> {
  write(w: JuteWriter, value: T): void;
  read(r: JuteReader): T;
}
