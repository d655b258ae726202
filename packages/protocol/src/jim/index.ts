export * from './frame.js';
export * from './body.js';
export * from './formats.js';
