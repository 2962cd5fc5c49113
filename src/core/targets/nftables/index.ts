// The nftables target: one host's pods, the whole enforced policy, one `inet zonewall` table.
export { DEFAULT_LOG_GROUP, NFT_TABLE, hostPods, renderNftables } from './render.js';
export type { NftablesOptions, NftablesResult, NftablesStats } from './render.js';
export { PASS_MARK } from './chains.js';
export { workloadInterface } from './ids.js';
