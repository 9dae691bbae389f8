/**
 * The daemon's part of `POST /berth/system/reset`, after every sandbox and custom network was
 * removed through the controller: berthd stops, and as it stops — once its own repair loops
 * are off, so they cannot put anything back — removes what only it can reach (the predefined
 * networks' kernel objects, berth's firewall tables).
 */
export interface SystemResetHook {
  /** Asks for that clean-up and the stop; returns at once (the answer goes out first). */
  cleanUpAndStop(): void;
}
