import { writeFile } from 'node:fs/promises';

export type ZooCfgValue = string | number | boolean;
export type ZooCfgEntries = Record<string, ZooCfgValue>;

/**
 * Renders zoo.cfg (a Java properties file). Later entries win, so callers pass defaults first and
 * user overrides last. Keys and values are checked because a newline or `=` in a key would
 * silently become a different setting.
 */
export function renderZooCfg(...layers: readonly ZooCfgEntries[]): string {
  const merged = new Map<string, string>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (!/^[A-Za-z0-9_.-]+$/.test(key)) {
        throw new RangeError(`invalid zoo.cfg key ${JSON.stringify(key)}`);
      }
      const text = String(value);
      if (/[\r\n]/.test(text)) {
        throw new RangeError(`zoo.cfg value for ${key} contains a line break`);
      }
      merged.delete(key);
      merged.set(key, text);
    }
  }
  let out = '';
  for (const [key, value] of merged) out += `${key}=${escapeValue(value)}\n`;
  return out;
}

export async function writeZooCfg(
  file: string,
  ...layers: readonly ZooCfgEntries[]
): Promise<void> {
  await writeFile(file, renderZooCfg(...layers), 'utf8');
}

/** Backslash is the properties-file escape character; Windows-style paths would lose it. */
function escapeValue(value: string): string {
  return value.replaceAll('\\', '\\\\');
}
