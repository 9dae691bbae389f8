import { execa } from 'execa';

/** Thrown when Graphviz is missing or fails. */
export class SvgRenderError extends Error {
  override readonly name = 'SvgRenderError';
}

/** Renders DOT to SVG with Graphviz (`dot -Tsvg`, the DOT text on stdin; never through a shell). */
export async function renderSvg(dot: string): Promise<string> {
  const result = await execa('dot', ['-Tsvg'], { input: dot, reject: false });
  if (result.failed && (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new SvgRenderError('--format svg needs Graphviz: dot is not on PATH (apt-get install graphviz), or use --format dot and render it elsewhere');
  }
  if (result.exitCode !== 0) throw new SvgRenderError(`dot -Tsvg failed (exit ${String(result.exitCode)}): ${result.stderr.trim()}`);
  return result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`;
}
