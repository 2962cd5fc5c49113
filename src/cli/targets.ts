// The renderers the CLI offers, by target name. nftables renders per host (one node's pods,
// the whole enforced policy), so it has its own entry and its own input.
import { renderAnp, renderCalico, renderCnp } from '../core/targets/index.js';
import type { Renderer, TargetName } from '../core/targets/index.js';
import { renderNftables } from '../core/targets/nftables/index.js';

export const RENDERERS: Partial<Record<TargetName, Renderer>> = {
  calico: renderCalico,
  cnp: renderCnp,
  anp: renderAnp,
};

/** Per-host renderers: a policy set and a node in, a ruleset out. */
export const HOST_RENDERERS = { nftables: renderNftables } as const;
