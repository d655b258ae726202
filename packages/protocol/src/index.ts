export * from './commands.js';
export * from './status.js';
export * from './flags.js';
export * from './errors.js';
export * from './frame.js';
export * from './gzip.js';
export * from './kinds.js';
export * from './gen/parley/v1/parley_pb.js';
