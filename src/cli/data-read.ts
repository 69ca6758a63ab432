import { NoNodeError } from '../index.js';
import { defineCommand, noMoreArguments, pathArgument } from './define-command.js';
import { dataFormatFlag, dataJson, dataText, statJson, statText } from './format.js';
import { paths, walk } from './walk.js';
import type { TreeNode } from './walk.js';

/** `ls`, `tree`, `get`, `stat`: the commands that read nodes. */

export const ls = defineCommand({
  name: 'ls',
  synopsis: 'ls [-R] <path>',
  help: `Lists the children of <path>, sorted by name, one per line.

Options:
  -R, --recursive          list <path> and every node below it, as full paths, parents first
Output with --json: {"path","children":[names]}; with -R {"path","paths":[paths]}.`,
  boolean: ['recursive'],
  short: { R: 'recursive' },
  json: true,
  plan: ({ positionals, flags }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0]), recursive: flags.has('recursive') };
  },
  async run(zk, { path, recursive }, io) {
    if (recursive) {
      const all = paths(await walk(zk, path, 'zkcoord ls'));
      io.output({ path, paths: all }, all.join('\n'));
    } else {
      const children = (await zk.getChildren(path)).children.sort();
      io.output({ path, children }, children.join('\n'));
    }
  },
});

interface JsonTree {
  readonly name: string;
  readonly path: string;
  readonly children: JsonTree[];
}

function jsonTree(node: TreeNode): JsonTree {
  return { name: node.name, path: node.path, children: node.children.map(jsonTree) };
}

/** The tree drawn with box characters, one node per line. */
function drawTree(node: TreeNode, indent = ''): string[] {
  return node.children.flatMap((child, i) => {
    const last = i === node.children.length - 1;
    return [
      `${indent}${last ? '└── ' : '├── '}${child.name}`,
      ...drawTree(child, `${indent}${last ? '    ' : '│   '}`),
    ];
  });
}

export const tree = defineCommand({
  name: 'tree',
  synopsis: 'tree <path>',
  help: `Draws <path> and every node below it as a tree, children sorted by name.

Output with --json: {"name","path","children":[ …the same shape… ]}.`,
  json: true,
  plan: ({ positionals }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0]) };
  },
  async run(zk, { path }, io) {
    const root = await walk(zk, path, 'zkcoord tree');
    io.output(jsonTree(root), [path, ...drawTree(root)].join('\n'));
  },
});

export const get = defineCommand({
  name: 'get',
  synopsis: 'get [--stat] [--format text|json|hex|base64] <path>',
  help: `Prints the data of <path>.

Options:
  --format <format>        text (default): the bytes as they are, nothing added;
                           json: parsed and pretty-printed; hex, base64: encoded, with a newline
  --stat                   print the node's Stat after the data (see zkcoord stat)
Output with --json: {"path","format","data","stat"}: data is a string (text, hex, base64) or,
for --format json, the parsed value (null for empty data). --stat is implied.`,
  valued: ['format'],
  boolean: ['stat'],
  json: true,
  plan: ({ positionals, flags }) => {
    noMoreArguments(positionals, 1);
    return {
      path: pathArgument(positionals[0]),
      format: dataFormatFlag(flags.get('format')),
      withStat: flags.has('stat'),
    };
  },
  async run(zk, { path, format, withStat }, io) {
    const { data, stat } = await zk.getData(path);
    if (io.json) {
      io.output({ path, format, data: dataJson(data, format, path), stat: statJson(stat) }, '');
      return;
    }
    const text = dataText(data, format, path);
    io.write(text);
    const endsLine = text.length === 0 || text.at(-1) === (typeof text === 'string' ? '\n' : 10);
    // A terminal's prompt should not follow data on its line; a pipe gets the bytes unchanged.
    if (!endsLine && (withStat || process.stdout.isTTY)) io.write('\n');
    if (withStat) io.write(statText(stat));
  },
});

export const stat = defineCommand({
  name: 'stat',
  synopsis: 'stat <path>',
  help: `Prints the Stat of <path>: aligned name/value lines, zxids and the owner session in hex,
times as ISO dates.

Output with --json: {"path","stat":{czxid,mzxid,ctime,mtime,version,cversion,aversion,
ephemeralOwner,dataLength,numChildren,pzxid}}, 64-bit values as decimal strings, times in ms.`,
  json: true,
  plan: ({ positionals }) => {
    noMoreArguments(positionals, 1);
    return { path: pathArgument(positionals[0]) };
  },
  async run(zk, { path }, io) {
    const found = await zk.exists(path);
    if (found === null) throw new NoNodeError(path);
    io.output({ path, stat: statJson(found) }, statText(found));
  },
});
