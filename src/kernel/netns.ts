/**
 * A network namespace, named by a path that can be opened (a bind mount such as
 * /run/berth/netns/<id> or /run/netns/<name>, or /proc/<pid>/ns/net).
 * Every kernel call names the namespace it acts in; nothing relies on "the current namespace".
 */
export interface Netns {
  readonly path: string;
}

/** Creating, opening and removing network namespaces. */
export interface NetnsOps {
  /** The namespace berth itself was started in ("the host" from berth's point of view). */
  readonly host: Netns;
  /** Creates a namespace bind-mounted at `<dir>/<name>`; NETNS_EXISTS if that path is taken. */
  create(name: string): Promise<Netns>;
  /** Checks that `path` is a network namespace and returns a handle; NETNS_NOT_FOUND otherwise. */
  open(path: string): Promise<Netns>;
  /** Unmounts and deletes a namespace made by `create`; succeeds when it is already gone. */
  remove(netns: Netns): Promise<void>;
  /** Names of the namespaces under berth's netns directory. */
  list(): Promise<readonly string[]>;
}
