// @ts-check
import { dirname, relative, resolve } from 'node:path';

/**
 * The parts of a layer and what each may import, lowest first (docs/internals.md draws them).
 * A part is a folder of the layer, or one of the two kinds of root file: `values`, the leaf
 * modules any part may use, and `api`, the rest of the root, which wires the parts together.
 * `*` stands for every folder not named; a part may always import from itself.
 *
 * @typedef {{ root: string, values: ReadonlySet<string>, mayImport: Readonly<Record<string, readonly string[]>> }} Layout
 */

/** @type {Layout} */
const client = {
  root: 'src/client',
  values: new Set([
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
  ]),
  mayImport: {
    values: [],
    transport: ['values'],
    watches: ['values'],
    session: ['values', 'transport', 'watches'],
    operations: ['values', 'watches', 'session'],
    api: ['values', 'transport', 'watches', 'session', 'operations'],
  },
};

/** @type {Layout} */
const recipes = {
  root: 'src/recipes',
  values: new Set(),
  mayImport: {
    coordination: [],
    'lock-core': ['coordination'],
    // Each recipe (mutex/, semaphore/, …) stands on the shared parts, never on another recipe.
    '*': ['coordination', 'lock-core'],
    api: ['coordination', 'lock-core', '*'],
  },
};

/** @param {Layout} layout @param {string} file a path relative to the layer's root */
function partOf(layout, file) {
  const slash = file.indexOf('/');
  if (slash !== -1) return file.slice(0, slash);
  return layout.values.has(file) ? 'values' : 'api';
}

/** @param {Layout} layout @param {string} part */
function allowedFrom(layout, part) {
  const named = Object.hasOwn(layout.mayImport, part);
  return layout.mayImport[named ? part : '*'] ?? [];
}

/** @param {Layout} layout @returns {import('eslint').Rule.RuleModule} */
function partsRule(layout) {
  return {
    meta: {
      type: 'problem',
      docs: { description: `Keeps the parts of ${layout.root} layered.` },
      schema: [],
      messages: {
        upward:
          '{{root}}/{{from}} must not import from {{root}}/{{to}}: {{fromPart}} may import only from {{allowed}} (see docs/internals.md).',
      },
    },
    create(context) {
      const layerRoot = resolve(context.cwd, layout.root);
      const from = relative(layerRoot, context.filename);
      const fromPart = partOf(layout, from);
      const allowed = allowedFrom(layout, fromPart);
      const fromFolder = from.includes('/');
      /** @param {string} toPart */
      const permitted = (toPart) => {
        if (toPart === fromPart || allowed.includes(toPart)) return true;
        // `*` in a list: any folder that is not itself a named part.
        const unnamedFolder = toPart !== 'values' && toPart !== 'api';
        return allowed.includes('*') && unnamedFolder && !Object.hasOwn(layout.mayImport, toPart);
      };
      /** @param {import('estree').ImportDeclaration | import('estree').ExportNamedDeclaration | import('estree').ExportAllDeclaration} node */
      const check = (node) => {
        const spec = node.source?.value;
        if (typeof spec !== 'string' || !spec.startsWith('.')) return;
        const target = relative(layerRoot, resolve(dirname(context.filename), spec)).replace(
          /\.js$/,
          '.ts',
        );
        if (target.startsWith('..')) return;
        const toPart = partOf(layout, target);
        if (permitted(toPart)) return;
        const listed = [...allowed, 'itself'].join(', ');
        context.report({
          node,
          messageId: 'upward',
          data: {
            root: layout.root,
            from,
            to: target,
            fromPart: fromFolder ? `${fromPart}/` : fromPart,
            allowed: listed,
          },
        });
      };
      return {
        ImportDeclaration: check,
        ExportNamedDeclaration: check,
        ExportAllDeclaration: check,
      };
    },
  };
}

export const clientParts = partsRule(client);
export const recipeParts = partsRule(recipes);
