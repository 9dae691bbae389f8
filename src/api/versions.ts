/** The Engine API version berth speaks (Docker 25), and the oldest it accepts. */
export const API_VERSION = '1.44';
export const MIN_API_VERSION = '1.24';
