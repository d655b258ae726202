export * from './e2e-keys.js';
export * from './e2e-envelope.js';
export * from './key-directory.js';
export * from './end-to-end.js';
