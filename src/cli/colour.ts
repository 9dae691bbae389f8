/**
 * Whether to colour output: only on a terminal, and never when NO_COLOR is set to anything
 * but the empty string (https://no-color.org).
 */
export function colourEnabled(options: { readonly terminal: boolean; readonly env: Readonly<Record<string, string | undefined>> }): boolean {
  const noColour = options.env['NO_COLOR'];
  return options.terminal && (noColour === undefined || noColour === '');
}
