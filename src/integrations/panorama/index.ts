// Public surface of the Panorama integration: the XML API client, live sync of a device
// group's ZonePolicy, and pod addresses registered as tags.
export { PanoramaClient, apiUrl, benignUidMessage, DEFAULT_RETRY } from './client.js';
export type { ClientEvent, ClientOptions, RetryPolicy, UidEntryResult } from './client.js';
export { API_ERROR_NAMES, PanoramaError, apiError } from './errors.js';
export type { PanoramaErrorCode } from './errors.js';
export { DEFAULT_KEY_ENV, Secret, loadApiKey, redact } from './secret.js';
export type { KeySource } from './secret.js';
export { normalizeFingerprint } from './transport.js';
export type { TlsTrust } from './transport.js';
export { connectPanorama } from './connect.js';
export type { ConnectOptions } from './connect.js';
export { PanoramaSync, contentHash } from './sync.js';
export type { BuildIssue, BuildZonePolicy, PollResult, SyncEvent, SyncOptions } from './sync.js';
export { panoramaImport } from './import.js';
export { TAG_PREFIX, desiredTags, planTags, podTags } from './tags.js';
export type { TagIssue, TagNaming, TagPlan } from './tags.js';
export { canonicalIp, pushTags, readRegistered } from './push.js';
export type { PushOptions, PushReport } from './push.js';
export {
  MAX_REQUEST_BYTES,
  MAX_TAGS_PER_IP,
  MAX_TAG_TIMEOUT_S,
  tagProblem,
  uidMessages,
} from './uid-message.js';
export type { TagEntry } from './uid-message.js';
