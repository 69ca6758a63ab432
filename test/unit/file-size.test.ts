import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Small files with one purpose each: a file past 400 lines is a sign it does two things, and the
// second belongs in a file of its own (docs/internals.md, "Where the rules are enforced").

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_LINES = 400;

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('source files', () => {
  it(`have at most ${MAX_LINES} lines each, in src/, test/, bench/ and examples/`, () => {
    const files = ['src', 'test', 'bench', 'examples'].flatMap((dir) =>
      typeScriptFiles(join(ROOT, dir)),
    );
    expect(files.length).toBeGreaterThan(200);
    const tooLong = files
      .map((file) => ({
        file: relative(ROOT, file),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(tooLong).toEqual([]);
  });
});
