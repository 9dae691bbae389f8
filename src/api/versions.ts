/** The Engine API version berth advertises (Docker 25). */
export const API_VERSION = '1.44';
/** The oldest API version berth accepts in a `/v1.NN` prefix. */
export const MIN_API_VERSION = '1.24';
