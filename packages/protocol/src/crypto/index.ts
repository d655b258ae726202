export * from './frame-layout.js';
export * from './pem.js';
export * from './web-session-cipher.js';
