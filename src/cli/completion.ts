import { aclGet, aclSet } from './data-admin.js';
import { dataCommands } from './data-commands.js';
import { Exit } from './exit-codes.js';
import { LOCK_OPTIONS } from './lock-args.js';
import { SERVER_OPTIONS } from './server.js';
import { demoOptions } from './demo-args.js';

/**
 * `zkcoord completion bash|zsh`: a script completing commands, their options and the fixed
 * values of some options, made from the same lists the commands parse with, so it cannot
 * drift from them. Node paths are not completed (that would need a server).
 */

export const completionUsage = `Usage: zkcoord completion bash|zsh

Prints a shell completion script for zkcoord's commands and options. Install it:
  bash:  zkcoord completion bash > ~/.local/share/bash-completion/completions/zkcoord
         (or add  source <(zkcoord completion bash)  to ~/.bashrc)
  zsh:   zkcoord completion zsh > "\${fpath[1]}/_zkcoord"   (then restart zsh)
         (or add  source <(zkcoord completion zsh)  to ~/.zshrc, after compinit)
`;

/** Command name → its options; `acl get` and `acl set` under their two words. */
function commandOptions(): Map<string, readonly string[]> {
  const options = new Map<string, readonly string[]>();
  for (const [name, command] of dataCommands) options.set(name, command.options);
  options.set('acl get', aclGet.options);
  options.set('acl set', aclSet.options);
  options.set('lock', LOCK_OPTIONS);
  options.set('server', SERVER_OPTIONS);
  options.set('demo', demoOptions);
  options.set('completion', ['--help']);
  return options;
}

const TOP_LEVEL = ['--help', '--version'];
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  acl: ['get', 'set'],
  completion: ['bash', 'zsh'],
};
const FILE_OPTIONS = ['--tls-ca', '--tls-cert', '--tls-key', '--sasl-password-file'];
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  '--kind': ['mutex', 'read-write', 'semaphore'],
  '--format': ['text', 'json', 'hex', 'base64'],
  '--mode': [
    'persistent',
    'ephemeral',
    'sequential',
    'ephemeral-sequential',
    'container',
    'ttl',
    'sequential-ttl',
  ],
  '--ensemble': ['3', '5'],
};

function commandNames(options: Map<string, readonly string[]>): string[] {
  return [...new Set([...options.keys()].map((name) => name.split(' ')[0] ?? name))].sort();
}

/** `case` arms: one pattern per command (`acl get` as `acl:get`), the words to offer. */
function arms(
  entries: Iterable<readonly [string, readonly string[]]>,
  indent: string,
  body: (words: string) => string,
): string {
  return [...entries]
    .map(([name, words]) => `${indent}${name.replace(' ', ':')}) ${body(words.join(' '))} ;;`)
    .join('\n');
}

export function bashScript(): string {
  const options = commandOptions();
  return `# bash completion for zkcoord (zkcoord completion bash)
_zkcoord() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd=\${COMP_WORDS[1]} i words=
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=( $(compgen -W "${commandNames(options).join(' ')} ${TOP_LEVEL.join(' ')}" -- "$cur") )
    return
  fi
  for (( i = 2; i < COMP_CWORD; i++ )); do
    if [[ \${COMP_WORDS[i]} == -- ]]; then
      # lock's command and its arguments
      if (( i == COMP_CWORD - 1 )); then COMPREPLY=( $(compgen -c -- "$cur") )
      else COMPREPLY=( $(compgen -f -- "$cur") ); fi
      return
    fi
  done
  case $prev in
    ${FILE_OPTIONS.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
${arms(Object.entries(OPTION_VALUES), '    ', (words) => `COMPREPLY=( $(compgen -W "${words}" -- "$cur") ); return`)}
  esac
  case $cmd in
${arms(Object.entries(SUBCOMMANDS), '    ', (words) => `if (( COMP_CWORD == 2 )); then COMPREPLY=( $(compgen -W "${words}" -- "$cur") ); return; fi`)}
  esac
  [[ $cur == -* ]] || return
  [[ $cmd == acl ]] && cmd=acl:\${COMP_WORDS[2]}
  case $cmd in
${arms(options, '    ', (words) => `words="${words}"`)}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _zkcoord zkcoord
`;
}

export function zshScript(): string {
  const options = commandOptions();
  return `#compdef zkcoord
# zsh completion for zkcoord (zkcoord completion zsh)
_zkcoord() {
  local cmd=\${words[2]} prev=\${words[CURRENT-1]} dashes=\${words[(i)--]}
  if (( CURRENT == 2 )); then
    compadd -- ${commandNames(options).join(' ')} ${TOP_LEVEL.join(' ')}
    return
  fi
  if (( dashes > 2 && dashes < CURRENT )); then
    # lock's command and its arguments
    if (( dashes == CURRENT - 1 )); then _command_names; else _files; fi
    return
  fi
  case $prev in
    ${FILE_OPTIONS.join('|')}) _files; return ;;
${arms(Object.entries(OPTION_VALUES), '    ', (words) => `compadd -- ${words}; return`)}
  esac
  case $cmd in
${arms(Object.entries(SUBCOMMANDS), '    ', (words) => `if (( CURRENT == 3 )); then compadd -- ${words}; return; fi`)}
  esac
  [[ $PREFIX == -* ]] || return
  [[ $cmd == acl ]] && cmd=acl:\${words[3]}
  case $cmd in
${arms(options, '    ', (words) => `compadd -- ${words}`)}
  esac
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _zkcoord "$@"
else
  compdef _zkcoord zkcoord
fi
`;
}

/** `zkcoord completion <shell>`. */
export function runCompletion(argv: readonly string[]): number {
  const [shell, ...extra] = argv;
  if (shell === '--help' || shell === '-h') {
    process.stdout.write(completionUsage);
    return Exit.ok;
  }
  if ((shell !== 'bash' && shell !== 'zsh') || extra.length > 0) {
    const problem =
      shell === undefined
        ? 'missing the shell'
        : `cannot complete for ${JSON.stringify(argv.join(' '))}`;
    process.stderr.write(
      `zkcoord completion: ${problem}\nusage: zkcoord completion bash|zsh (see --help)\n`,
    );
    return Exit.usage;
  }
  process.stdout.write(shell === 'bash' ? bashScript() : zshScript());
  return Exit.ok;
}
