// The renderers the CLI offers, by target name (nftables renders per host, in the data plane).
import { renderAnp, renderCalico, renderCnp } from '../core/targets/index.js';
import type { Renderer, TargetName } from '../core/targets/index.js';

export const RENDERERS: Partial<Record<TargetName, Renderer>> = {
  calico: renderCalico,
  cnp: renderCnp,
  anp: renderAnp,
};
