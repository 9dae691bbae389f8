import { BerthError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';

/** Error codes and the noun used when resolving one kind of object. */
export interface ResolveKind {
  readonly noun: string;
  readonly notFound: ErrorCode;
  readonly ambiguous: ErrorCode;
}

/**
 * Docker's lookup order (daemon/network.go FindNetwork): a full id wins, then an exact name,
 * then a unique id prefix. Several matches at one step are ambiguous.
 */
export function resolveByIdOrName<T extends { readonly id: string; readonly name: string }>(
  items: readonly T[],
  term: string,
  kind: ResolveKind,
): T {
  if (term === '') throw new BerthError('INVALID_ARGUMENT', `${kind.noun} name or id must not be empty`, { object: term });
  const byId = items.find((item) => item.id === term);
  if (byId !== undefined) return byId;
  const byName = items.filter((item) => item.name === term);
  if (byName.length === 1 && byName[0] !== undefined) return byName[0];
  if (byName.length > 1) throw new BerthError(kind.ambiguous, `${kind.noun} ${term} is ambiguous (${byName.length} matches found based on name)`, { object: term });
  const byPrefix = items.filter((item) => item.id.startsWith(term.toLowerCase()));
  if (byPrefix.length === 1 && byPrefix[0] !== undefined) return byPrefix[0];
  if (byPrefix.length > 1) throw new BerthError(kind.ambiguous, `${kind.noun} ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix)`, { object: term });
  throw new BerthError(kind.notFound, `${kind.noun} ${term} not found`, { object: term });
}
