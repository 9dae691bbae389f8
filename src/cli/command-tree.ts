import type { Command } from 'commander';

/** A word the shell may offer: a subcommand, an option flag or an argument's choice, with help text. */
export interface CompletionWord {
  readonly word: string;
  readonly description: string;
}

/** One command of the tree, as completion needs it. */
export interface CommandNode {
  /** Canonical names from the root, space-separated (`network create`); '' is berth itself. */
  readonly path: string;
  /** Subcommands: canonical name and aliases (`ls`, `list`). */
  readonly commands: readonly { readonly name: string; readonly aliases: readonly string[]; readonly description: string }[];
  /** Option flags (`-d`, `--driver`) and whether each takes a value. */
  readonly options: readonly { readonly flags: readonly string[]; readonly takesValue: boolean; readonly description: string }[];
  /** Fixed choices of the command's arguments (`completion bash|zsh`). */
  readonly choices: readonly string[];
}

const HELP = { flags: ['-h', '--help'], takesValue: false, description: 'display help for command' } as const;

/** Every command under `root` (itself first), read from commander's registrations, hidden options left out. */
export function commandTree(root: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (command: Command, path: string): void => {
    nodes.push({
      path,
      commands: command.commands.map((sub) => ({ name: sub.name(), aliases: sub.aliases(), description: sub.description() })),
      options: [
        ...command.options.filter((option) => !option.hidden).map((option) => ({
          flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
          takesValue: option.required || option.optional,
          description: option.description,
        })),
        HELP,
      ],
      choices: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
    });
    for (const sub of command.commands) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(root, '');
  return nodes;
}

/** What may follow at `node`: its subcommands (aliases too), option flags and argument choices. */
export function completionWords(node: CommandNode): CompletionWord[] {
  return [
    ...node.commands.flatMap((command) => [command.name, ...command.aliases].map((word) => ({ word, description: command.description }))),
    ...node.options.flatMap((option) => option.flags.map((word) => ({ word, description: option.description }))),
    ...node.choices.map((word) => ({ word, description: word })),
  ];
}
