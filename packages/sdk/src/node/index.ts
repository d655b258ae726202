// Node-only additions: TCP and TLS transports. Everything of the browser entry is re-exported,
// so Node code needs one import.
export * from '../index.js';
export * from './tcp-transport.js';
