export { FirewallHealer } from './firewall-healer.js';
export type { HealCounters, HealTarget } from './firewall-healer.js';
export { TransactionFilter } from './change-filter.js';
