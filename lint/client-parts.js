// @ts-check
import { dirname, relative, resolve } from 'node:path';

/**
 * The parts of src/client and what each may import, lowest first (docs/internals.md draws them).
 * `values` are the root's leaf modules, which any part may use; `api` is the rest of the root,
 * the facade that wires the parts together. A part not listed may import from nothing here.
 */
const VALUES = new Set([
  'acl.ts',
  'auth-options.ts',
  'chroot.ts',
  'connect-string.ts',
  'errors.ts',
  'isolated-call.ts',
  'path.ts',
  'pause.ts',
  'quorum-config.ts',
  'retry.ts',
  'types.ts',
  'values.ts',
]);

/** @type {Record<string, readonly string[]>} */
const MAY_IMPORT = {
  values: ['values'],
  transport: ['values', 'transport'],
  watches: ['values', 'watches'],
  session: ['values', 'transport', 'watches', 'session'],
  operations: ['values', 'watches', 'session', 'operations'],
  api: ['values', 'transport', 'watches', 'session', 'operations', 'api'],
};

/** @param {string} file a path relative to src/client */
function partOf(file) {
  const slash = file.indexOf('/');
  if (slash !== -1) return file.slice(0, slash);
  return VALUES.has(file) ? 'values' : 'api';
}

/** @type {import('eslint').Rule.RuleModule} */
export const clientParts = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Keeps the parts of src/client (transport, watches, session, …) layered.',
    },
    schema: [],
    messages: {
      upward:
        'src/client/{{from}} must not import from src/client/{{to}}: {{fromPart}} may import only from {{allowed}} (see docs/internals.md).',
    },
  },
  create(context) {
    const clientRoot = resolve(context.cwd, 'src/client');
    const from = relative(clientRoot, context.filename);
    const fromPart = partOf(from);
    const allowed = MAY_IMPORT[fromPart] ?? [];
    /** @param {import('estree').ImportDeclaration | import('estree').ExportNamedDeclaration | import('estree').ExportAllDeclaration} node */
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = relative(clientRoot, resolve(dirname(context.filename), spec)).replace(
        /\.js$/,
        '.ts',
      );
      if (target.startsWith('..')) return;
      const toPart = partOf(target);
      if (allowed.includes(toPart)) return;
      context.report({
        node,
        messageId: 'upward',
        data: { from, to: target, fromPart, allowed: allowed.join(', ') },
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
    };
  },
};
