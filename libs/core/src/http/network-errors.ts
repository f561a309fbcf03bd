/** Socket error codes that mean a backing service (PostgreSQL, Redis) could not be reached: retry later, not a bug. */
export const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
