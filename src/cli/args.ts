/** A command line the CLI cannot act on: exit 64 (EX_USAGE) with a one-line message and a hint. */
export class UsageError extends Error {}

export interface ParsedArgs {
  /** Arguments that are not flags, in order. */
  readonly positionals: string[];
  /** Flag name (without `--`) → value; a boolean flag has the value `''`. */
  readonly flags: Map<string, string>;
  /** Everything after `--`; undefined when there was no `--`. */
  readonly rest: string[] | undefined;
}

/**
 * Splits `args` by a fixed list of flags, so an unknown flag or a missing value is an error rather
 * than a guess. Values come as `--name value` or `--name=value`; `--` ends the flags, and what
 * follows is left untouched (it belongs to another program).
 */
export function parseArgs(
  args: readonly string[],
  spec: { readonly valued: readonly string[]; readonly boolean: readonly string[] },
): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return { positionals, flags, rest: args.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (spec.boolean.includes(name)) {
      if (equals !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, '');
    } else if (spec.valued.includes(name)) {
      let value: string | undefined = equals === -1 ? args[++i] : arg.slice(equals + 1);
      if (value === undefined || (equals === -1 && value.startsWith('--'))) value = undefined;
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags, rest: undefined };
}
