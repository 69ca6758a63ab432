import { catalog } from './catalog.js';
import { fuzzTruncatedEncodings } from './fuzz-helpers.js';

// The catalog is split over two files so that vitest runs the halves in parallel.
fuzzTruncatedEncodings(catalog.slice(0, Math.ceil(catalog.length / 2)));
