/** A command line the CLI cannot act on: exit 64 (EX_USAGE) with a one-line message and a hint. */
export class UsageError extends Error {}

export interface ParsedArgs {
  /** Arguments that are not flags, in order. */
  readonly positionals: string[];
  /** Flag name (without `--`) → value; a boolean flag has the value `''`. */
  readonly flags: Map<string, string>;
  /** The values of each repeatable flag given, in order. */
  readonly lists: Map<string, string[]>;
  /** Everything after `--`; undefined when there was no `--`. */
  readonly rest: string[] | undefined;
}

export interface ArgSpec {
  readonly valued: readonly string[];
  readonly boolean: readonly string[];
  /** Valued flags that may be given more than once (`--auth a --auth b`). */
  readonly repeatable?: readonly string[];
  /** Single-letter aliases of boolean flags (`p` → `parents`); they may be bundled: `-pR`. */
  readonly short?: Readonly<Record<string, string>>;
}

/**
 * Splits `args` by a fixed list of flags, so an unknown flag or a missing value is an error rather
 * than a guess. Values come as `--name value` or `--name=value`; `--` ends the flags, and what
 * follows is left untouched (it belongs to another program). A lone `-` is an argument (stdin).
 */
export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return { positionals, flags, lists, rest: args.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      for (const name of shortFlags(arg, spec.short ?? {})) {
        if (flags.has(name)) throw new UsageError(`--${name} given twice`);
        flags.set(name, '');
      }
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const repeatable = spec.repeatable?.includes(name) === true;
    if (flags.has(name) && !repeatable) throw new UsageError(`--${name} given twice`);
    if (spec.boolean.includes(name)) {
      if (equals !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, '');
    } else if (spec.valued.includes(name)) {
      let value: string | undefined = equals === -1 ? args[++i] : arg.slice(equals + 1);
      if (value === undefined || (equals === -1 && value.startsWith('--'))) value = undefined;
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      if (repeatable) lists.set(name, [...(lists.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags, lists, rest: undefined };
}

/** The long names of a bundle of short flags such as `-pR`; any letter not in `short` is an error. */
function shortFlags(arg: string, short: Readonly<Record<string, string>>): string[] {
  const letters = Array.from(arg.slice(1));
  const names = letters.map((letter) => (Object.hasOwn(short, letter) ? short[letter] : undefined));
  if (names.some((name) => name === undefined)) throw new UsageError(`unknown option ${arg}`);
  return names as string[];
}
