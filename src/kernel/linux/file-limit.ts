import koffi from 'koffi';

const RLIMIT_NOFILE = 7;
const library = koffi.load('libc.so.6');
// Registers the struct type by name for the signatures below.
koffi.struct('berth_rlimit', { current: 'uint64_t', maximum: 'uint64_t' });
const getrlimit = library.func('int getrlimit(int resource, _Out_ berth_rlimit *limit)');
const setrlimit = library.func('int setrlimit(int resource, const berth_rlimit *limit)');

/**
 * Raises the soft open-file limit to the hard one: berthd holds one socket per published host
 * port and per namespace it talks to, so the usual soft 1024 is too low. Returns the new limit.
 */
export function raiseOpenFileLimit(): number {
  const limit = { current: 0, maximum: 0 };
  if (Number(getrlimit(RLIMIT_NOFILE, limit)) !== 0) return 0;
  const raised = { current: limit.maximum, maximum: limit.maximum };
  return Number(setrlimit(RLIMIT_NOFILE, raised)) === 0 ? Number(raised.current) : Number(limit.current);
}
