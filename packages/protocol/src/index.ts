export * from './commands.js';
export * from './status.js';
export * from './flags.js';
export * from './errors.js';
export * from './frame.js';
// The encryption flags' layout and their WebCrypto side (no node: import: browsers load it).
export * from './crypto/index.js';
// gzip uses node:zlib: it is the subpath export '@parley/protocol/gzip', so browsers never load it.
export * from './kinds.js';
export * from './gen/parley/v1/parley_pb.js';
export * from './imtp/index.js';
export * from './jim/index.js';
export * from './imp/index.js';
