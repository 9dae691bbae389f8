import { Argument } from 'commander';
import type { Command } from 'commander';
import type { CommandContext } from '../io.js';
import { commandTree } from '../command-tree.js';
import { COMPLETION_SHELLS, completionScript } from '../completion-script.js';
import type { CompletionShell } from '../completion-script.js';

/** `berth completion bash|zsh`: a completion script generated from the registered commands (register it last). */
export function completionCommands(program: Command, context: CommandContext): void {
  program.command('completion')
    .description('print a shell completion script (commands, subcommands and options) for bash or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(COMPLETION_SHELLS))
    .addHelpText('after', `
Examples:
  source <(berth completion bash)                        # this shell only
  berth completion bash > /etc/bash_completion.d/berth   # every new bash
  berth completion zsh > "\${fpath[1]}/_berth"            # zsh, with compinit`)
    .action((shell: CompletionShell) => {
      context.io.out(completionScript(commandTree(program), shell));
    });
}
