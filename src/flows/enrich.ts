// Enrichment: each record's ends resolved against the snapshot (address -> the pod that had it
// at the record's time; or a name and namespace when the source gives no address), given
// their zones, and, when the source carried no policy trace, the engine's trace (marked
// `computed`). Verdicts are computed once per distinct (source, destination, protocol, port).
import type { Endpoint, Peer } from '../core/engine/index.js';
import type { Pod } from '../core/model/index.js';
import { cidrContains, formatIP, parseCIDR, parseIP, protocolHasPorts } from '../core/net/index.js';
import type { CIDR, IP } from '../core/net/index.js';
import { placeEnd, zoneOf } from '../core/zones/index.js';
import type { ZonePolicy } from '../core/zones/index.js';
import { NONE, nameAggr, protoNumber } from './record.js';
import type { EndpointType, FlowRecord } from './record.js';
import type { PodMeta, Snapshot } from './snapshot.js';
import { decidingHit, hitsOf } from './trace.js';

/** The zone of an address outside the cluster that no external names. */
export const INTERNET = 'internet';
/** The zone of a cluster address (node, service) that is not a pod and in no zone pool. */
export const CLUSTER = 'cluster';

const PRIVATE: CIDR[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
]
  .map((c) => parseCIDR(c))
  .flatMap((r) => (r.ok ? [r.cidr] : []));

interface Tenancy {
  pod: Pod;
  meta: PodMeta | undefined;
}

/** One end as resolved: what the record shows and what the engine evaluates. */
interface End {
  name: string;
  aggr: string;
  namespace: string;
  type: EndpointType;
  labels: string[];
  zone: string;
  /** The engine's peer; undefined when neither an address nor a known pod is given. */
  peer?: Peer;
}

interface Verdictish {
  action: 'allow' | 'deny';
  policies: string[];
  pending: string[];
  tier: string;
  name: string;
}

export interface EnrichStats {
  /** Distinct (source, destination, protocol, port) keys evaluated. */
  evaluated: number;
  /** Records whose trace was computed. */
  computed: number;
}

function labelList(labels: ReadonlyMap<string, string>): string[] {
  return [...labels].map(([k, v]) => `${k}=${v}`).sort();
}

export class Enricher {
  private readonly byIP = new Map<string, Tenancy[]>();
  private readonly byPrefix = new Map<string, Pod>();
  /** Pods' ends: given no address, by an IPv4 and by an IPv6 address (each its own peer). */
  private readonly podEnds = [new Map<Pod, End>(), new Map<Pod, End>(), new Map<Pod, End>()];
  private readonly ipEnds = new Map<string, End>();
  /** Verdicts by source peer, destination peer, protocol and port (objects and short keys). */
  private readonly verdicts = new Map<
    Peer,
    Map<Peer, Map<string, Map<number, Verdictish | null>>>
  >();
  /** The deciding hit of each observed trace list (an adapter's lists repeat per path). */
  private readonly deciding = new WeakMap<readonly string[], { tier: string; name: string }>();
  private readonly zp: ZonePolicy | undefined;
  readonly stats: EnrichStats = { evaluated: 0, computed: 0 };

  constructor(readonly snap: Snapshot) {
    this.zp = snap.load.zonePolicy;
    for (const pod of snap.load.set.pods) {
      const key = `${pod.namespace}/${pod.name}`;
      const meta = snap.podMeta.get(key);
      for (const ip of pod.ips) {
        const k = formatIP(ip);
        const list = this.byIP.get(k) ?? [];
        list.push({ pod, meta });
        this.byIP.set(k, list);
      }
      const prefix = `${pod.namespace}/${nameAggr(pod.name, meta?.generateName)}`;
      if (!this.byPrefix.has(prefix)) this.byPrefix.set(prefix, pod);
      this.byPrefix.set(key, pod);
    }
  }

  /** Fill in names, zones and (when missing) the trace of a record, in place. */
  enrich(r: FlowRecord): void {
    const src = this.resolve(
      r.source_ip,
      r.source_namespace,
      r.source_name_aggr,
      r.source_name,
      r.start_time,
    );
    const dst = this.resolve(
      r.dest_ip,
      r.dest_namespace,
      r.dest_name_aggr,
      r.dest_name,
      r.start_time,
    );
    apply(r, 'source', src);
    apply(r, 'dest', dst);
    if (r.policies.length > 0) {
      r.trace_source = 'observed';
      let d = this.deciding.get(r.policies);
      if (d === undefined) this.deciding.set(r.policies, (d = decidingHit(r.policies)));
      r.policy_tier = d.tier;
      r.policy_name = d.name;
      return;
    }
    const v = this.verdict(src, dst, r.proto, r.dest_port);
    if (!v) return;
    this.stats.computed++;
    r.trace_source = 'computed';
    r.policies = v.policies;
    r.pending_policies = v.pending;
    r.policy_tier = v.tier;
    r.policy_name = v.name;
  }

  private verdict(src: End, dst: End, proto: string, port: number): Verdictish | null {
    if (!src.peer || !dst.peer) return null;
    let bySrc = this.verdicts.get(src.peer);
    if (!bySrc) this.verdicts.set(src.peer, (bySrc = new Map()));
    let byProto = bySrc.get(dst.peer);
    if (!byProto) bySrc.set(dst.peer, (byProto = new Map()));
    let byPort = byProto.get(proto);
    if (!byPort) byProto.set(proto, (byPort = new Map()));
    let v = byPort.get(port);
    if (v !== undefined) return v;
    v = null;
    const protocol = protoNumber(proto);
    if (protocol !== undefined && (src.peer.endpoint || dst.peer.endpoint)) {
      this.stats.evaluated++;
      const ipVersion = src.peer.ip?.version ?? dst.peer.ip?.version;
      const e = this.snap.engine.evaluateUncached(src.peer, dst.peer, {
        protocol,
        ...(protocolHasPorts(protocol) && port > 0 ? { port } : {}),
        ...(ipVersion !== undefined ? { ipVersion } : {}),
      });
      const d = e.decidedBy;
      v = {
        action: e.verdict,
        policies: hitsOf(e),
        pending: e.pending ? hitsOf(e.pending) : [],
        tier: d ? (d.tier ?? '__PROFILE__') : NONE,
        name: d ? decidingHit(hitsOf(e)).name : NONE,
      };
    }
    byPort.set(port, v);
    return v;
  }

  /** An end from its address at a time, else from its namespace and name (or name prefix). */
  private resolve(ipText: string, ns: string, aggr: string, name: string, t: number): End {
    if (ipText !== '') {
      const pod = this.podAt(ipText, t);
      if (pod) return this.podEnd(pod, ipText);
      return this.addressEnd(canonical(ipText));
    }
    if (ns !== NONE) {
      const pod = this.byPrefix.get(`${ns}/${name}`) ?? this.byPrefix.get(`${ns}/${aggr}`);
      if (pod) {
        const end = this.podEnd(pod, undefined);
        // Aggregated at the source: its own name fields stay (the name may be masked).
        return { ...end, name, aggr: aggr !== NONE ? aggr : end.aggr };
      }
    }
    return { name, aggr, namespace: ns, type: 'net', labels: [], zone: NONE };
  }

  /** The pod that held an address at time t (the latest created, when lifetimes overlap). */
  private podAt(ipText: string, t: number): Pod | undefined {
    const list = this.byIP.get(canonical(ipText));
    if (!list) return undefined;
    let best: Tenancy | undefined;
    for (const c of list) {
      const from = c.meta?.created ?? -Infinity;
      const to = c.meta?.deleted ?? Infinity;
      if (t < from || t >= to) continue;
      if (!best || from > (best.meta?.created ?? -Infinity)) best = c;
    }
    return best?.pod;
  }

  /**
   * A pod's end as seen at an address (`ipText`, or none), made once per address family: the
   * engine's peer of a dual-stack pod differs by family.
   */
  private podEnd(pod: Pod, ipText: string | undefined): End {
    const ends = this.podEnds[ipText === undefined ? 0 : ipText.includes(':') ? 2 : 1] as Map<
      Pod,
      End
    >;
    let end = ends.get(pod);
    if (!end) {
      const ip = ipText === undefined ? undefined : parseIP(ipText);
      const eps = this.snap.engine.eps;
      const ep: Endpoint | undefined = eps.pod(pod.namespace, pod.name);
      const nsLabels = eps.namespaceLabels(pod.namespace);
      const zone = this.zp ? zoneOf(this.zp, pod.labels, nsLabels).zone : undefined;
      end = {
        name: pod.name,
        aggr: nameAggr(
          pod.name,
          this.snap.podMeta.get(`${pod.namespace}/${pod.name}`)?.generateName,
        ),
        namespace: pod.namespace,
        type: 'wep',
        labels: labelList(pod.labels),
        zone: zone ?? NONE,
        ...(ep ? { peer: eps.peerOf(ep, ip?.version) } : {}),
      };
      ends.set(pod, end);
    }
    return end;
  }

  private addressEnd(ipText: string): End {
    let end = this.ipEnds.get(ipText);
    if (end) return end;
    const ip = parseIP(ipText);
    if (!ip) {
      end = { name: NONE, aggr: NONE, namespace: NONE, type: 'net', labels: [], zone: NONE };
    } else {
      // An address some pod had at another time is, at this time, nobody's.
      const podOnly = this.byIP.has(ipText);
      const peer: Peer = podOnly
        ? { ip, identities: [], key: ipText, display: ipText }
        : this.snap.engine.eps.peerOfIP(ip);
      const ep = peer.endpoint;
      const netset = peer.identities.find((i) => i.kind === 'netset');
      const type: EndpointType = ep?.kind === 'host' ? 'hep' : netset ? 'ns' : 'net';
      const named = ep ?? netset;
      const aggr = named ? named.name : PRIVATE.some((c) => cidrContains(c, ip)) ? 'pvt' : 'pub';
      end = {
        name: named ? named.name : NONE,
        aggr,
        namespace: named?.namespace ?? NONE,
        type,
        labels: named ? labelList(named.labels) : [],
        zone: this.addressZone(ip),
        peer,
      };
    }
    this.ipEnds.set(ipText, end);
    return end;
  }

  /** The named external containing the address, else its zone pool, else cluster or internet. */
  private addressZone(ip: IP): string {
    const zp = this.zp;
    if (!zp) return NONE;
    const p = placeEnd(zp, { kind: 'address', ip });
    if (p.externals[0] !== undefined) return p.externals[0];
    if (p.internet) return INTERNET;
    const pool = zp.zones.find((z) => z.pools.some((q) => cidrContains(q.cidr, ip)));
    return pool ? pool.name : CLUSTER;
  }
}

const canonicalCache = new Map<string, string>();

/** The canonical spelling of an address (sources differ in IPv6 case and zeros); cached. */
function canonical(text: string): string {
  let c = canonicalCache.get(text);
  if (c === undefined) {
    if (canonicalCache.size > 1_000_000) canonicalCache.clear();
    const ip = parseIP(text);
    canonicalCache.set(text, (c = ip ? formatIP(ip) : text));
  }
  return c;
}

function apply(r: FlowRecord, side: 'source' | 'dest', e: End): void {
  if (side === 'source') {
    r.source_name = r.source_name !== NONE ? r.source_name : e.name;
    r.source_name_aggr = r.source_name_aggr !== NONE ? r.source_name_aggr : e.aggr;
    r.source_namespace = e.namespace;
    r.source_type = e.type;
    if (r.source_labels.length === 0) r.source_labels = e.labels;
    r.source_zone = e.zone;
  } else {
    r.dest_name = r.dest_name !== NONE ? r.dest_name : e.name;
    r.dest_name_aggr = r.dest_name_aggr !== NONE ? r.dest_name_aggr : e.aggr;
    r.dest_namespace = e.namespace;
    r.dest_type = e.type;
    if (r.dest_labels.length === 0) r.dest_labels = e.labels;
    r.dest_zone = e.zone;
  }
}
