export * from './native-client.js';
export * from './server.js';
export * from './postgres.js';
export * from './store-contract.js';
export * from './server-stores.js';
export * from './assertions.js';
export * from './cluster.js';
export * from './tls.js';
