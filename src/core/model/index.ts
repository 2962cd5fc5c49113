// The model: manifests -> validated, normalised PolicySet.
export * from './types.js';
export * from './issues.js';
export { loadPolicySet, KIND_READERS } from './load.js';
export type { KindReader, LoadOptions, LoadResult } from './load.js';
export type { InputFile, RawObject } from './documents.js';
export { toYaml } from './documents.js';
export { Ctx, Reader } from './reader.js';
