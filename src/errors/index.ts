export { BerthError, hasCode, toBerthError } from './berth-error.js';
export type { ErrorCode, ErrorContext } from './berth-error.js';
