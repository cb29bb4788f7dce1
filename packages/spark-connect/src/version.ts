/** This package's version, sent in `client_type` (kept in step with package.json by the release). */
export const VERSION = '0.1.0';
