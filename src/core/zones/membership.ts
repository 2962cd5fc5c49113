// Which zone a pod is in: the zone label on the pod, else on its namespace, else the default
// zone. A label naming a zone the policy does not declare puts the pod in no zone: its
// traffic is treated as inter-zone (fail safe), and analysis warns about it.
import type { Labels } from '../model/types.js';
import type { ZonePolicy } from './types.js';

export type ZoneOrigin = 'pod label' | 'namespace label' | 'default';

export interface Membership {
  /** The zone, or undefined when the label names an undeclared zone. */
  zone: string | undefined;
  from: ZoneOrigin;
  /** The label value that decided (for an undeclared zone, the unknown name). */
  value: string;
  /** The pod's and its namespace's labels disagree (both set, different values). */
  conflict: boolean;
}

/** The zone of a pod with these labels in a namespace with these labels. */
export function zoneOf(
  zp: ZonePolicy,
  podLabels: Labels,
  nsLabels: Labels | undefined,
): Membership {
  const onPod = podLabels.get(zp.zoneLabel);
  const onNs = nsLabels?.get(zp.zoneLabel);
  const conflict = onPod !== undefined && onNs !== undefined && onPod !== onNs;
  const declared = (z: string): string | undefined =>
    zp.zones.some((d) => d.name === z) ? z : undefined;
  if (onPod !== undefined)
    return { zone: declared(onPod), from: 'pod label', value: onPod, conflict };
  if (onNs !== undefined)
    return { zone: declared(onNs), from: 'namespace label', value: onNs, conflict };
  return { zone: zp.defaultZone, from: 'default', value: zp.defaultZone, conflict };
}
