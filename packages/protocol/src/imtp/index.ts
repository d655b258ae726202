export * from './crc16.js';
export * from './commands.js';
export * from './frame.js';
export * from './body.js';
export * from './calls.js';
