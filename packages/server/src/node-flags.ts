/**
 * Node flags the server runs with (`npm start` passes them; so does the benchmark, which runs
 * the server as it ships). They must be given when node starts: V8 sizes its heap then.
 *
 * A larger young generation: at full 1:1 load every message lives a few milliseconds (until the
 * group commit's fsync acks it), long enough to survive two scavenges of the default 16 MB
 * semi-space and be copied into the old generation. With 64 MB, GC fell from 13-15% to about 9%
 * of the server's CPU and throughput rose by about a sixth (`npm run bench -- --profile=8`,
 * alternating runs on one machine, 2026-12-01).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
