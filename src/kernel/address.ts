/** An interface address in CIDR form, e.g. "172.18.0.1/16" or "fd00::1/64". */
export interface AddressInfo {
  readonly link: string;
  readonly cidr: string;
  readonly family: 4 | 6;
}

export interface AddressOps {
  /** Adds an address; ADDRESS_EXISTS if the link already has it. */
  add(link: string, cidr: string, options?: { readonly noDad?: boolean }): Promise<void>;
  /** Removes an address; succeeds when it is already gone. */
  remove(link: string, cidr: string): Promise<void>;
  list(link?: string): Promise<readonly AddressInfo[]>;
}
