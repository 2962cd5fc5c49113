// Building a planned lab with ip(8): namespaces, veth pairs, addresses and routes the way
// Calico wires pods (a /32 per pod on the node, proxy ARP, pods default-routed to a link-local
// gateway), the nodes joined by a bridge in a fabric namespace with a route per remote pod.
import { must } from '../exec.js';
import type { LabNode, LabPlan, LabPod } from './plan.js';
import { POD_GATEWAY } from './plan.js';

const BRIDGE = 'zwbr0';
const NODE_FABRIC_IF = 'fab0';

async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  await must('ip', [...(netns ? ['-n', netns] : []), '-batch', '-'], `${lines.join('\n')}\n`);
}

/** Node sysctls: forwarding, no reverse-path filter, and immediate proxy ARP on pod links. */
async function nodeSysctls(netns: string, podIfs: readonly string[]): Promise<void> {
  const settings: Array<[string, string]> = [
    ['net/ipv4/ip_forward', '1'],
    ['net/ipv4/conf/all/rp_filter', '0'],
    ['net/ipv4/conf/default/rp_filter', '0'],
    ...podIfs.flatMap((i): Array<[string, string]> => [
      [`net/ipv4/conf/${i}/rp_filter`, '0'],
      [`net/ipv4/conf/${i}/proxy_arp`, '1'],
      [`net/ipv4/neigh/${i}/proxy_delay`, '0'],
    ]),
  ];
  const script = settings.map(([k, v]) => `echo ${v} > /proc/sys/${k}`).join(' && ');
  await must('ip', ['netns', 'exec', netns, 'sh', '-c', script]);
}

/**
 * The lab is IPv4: IPv6 off in every namespace it makes, so no interface sends router
 * solicitations or multicast listener reports (which the zones would deny and the capture
 * would log as traffic between no pods).
 */
async function noIPv6(netns: readonly string[]): Promise<void> {
  const script = ['all', 'default']
    .map((k) => `echo 1 > /proc/sys/net/ipv6/conf/${k}/disable_ipv6`)
    .join(' && ');
  await Promise.all(netns.map((ns) => must('ip', ['netns', 'exec', ns, 'sh', '-c', script])));
}

function podLines(p: LabPod): string[] {
  return [
    'link set lo up',
    `addr add ${p.ip}/32 dev eth0`,
    'link set eth0 up',
    `route add ${POD_GATEWAY} dev eth0 scope link`,
    `route add default via ${POD_GATEWAY} dev eth0`,
  ];
}

function nodeLines(plan: LabPlan, n: LabNode): string[] {
  const out = [
    'link set lo up',
    `addr add ${n.address}/24 dev ${NODE_FABRIC_IF}`,
    `link set ${NODE_FABRIC_IF} up`,
  ];
  for (const p of plan.pods) {
    if (p.node === n.name) {
      out.push(`link set ${p.hostIf} up`, `route add ${p.ip}/32 dev ${p.hostIf}`);
    } else {
      const remote = plan.nodes.find((x) => x.name === p.node) as LabNode;
      out.push(`route add ${p.ip}/32 via ${remote.address} dev ${NODE_FABRIC_IF}`);
    }
  }
  // Proxy ARP answers for the pods' gateway only if the node routes it elsewhere.
  out.push(`route add default dev ${NODE_FABRIC_IF}`);
  return out;
}

/** Create every namespace, link, address and route of the plan. */
export async function buildNetwork(plan: LabPlan): Promise<void> {
  const all = [
    plan.fabricNetns,
    ...plan.nodes.map((n) => n.netns),
    ...plan.pods.map((p) => p.netns),
  ];
  await ipBatch(all.map((ns) => `netns add ${ns}`));
  await noIPv6(all);
  const links: string[] = [];
  for (const n of plan.nodes) {
    links.push(
      `link add ${n.fabricIf} netns ${plan.fabricNetns} type veth peer name ${NODE_FABRIC_IF} netns ${n.netns}`,
    );
  }
  for (const p of plan.pods) {
    const node = plan.nodes.find((n) => n.name === p.node) as LabNode;
    links.push(
      `link add ${p.hostIf} netns ${node.netns} type veth peer name eth0 netns ${p.netns}`,
    );
  }
  await ipBatch(links);
  // Again, for the links moved in from where they were made.
  await noIPv6(all);
  await ipBatch(
    [
      'link set lo up',
      `link add ${BRIDGE} type bridge`,
      `link set ${BRIDGE} up`,
      ...plan.nodes.flatMap((n) => [
        `link set ${n.fabricIf} master ${BRIDGE}`,
        `link set ${n.fabricIf} up`,
      ]),
    ],
    plan.fabricNetns,
  );
  for (const n of plan.nodes) {
    const podIfs = plan.pods.filter((p) => p.node === n.name).map((p) => p.hostIf);
    await nodeSysctls(n.netns, podIfs);
    await ipBatch(nodeLines(plan, n), n.netns);
  }
  await Promise.all(plan.pods.map((p) => ipBatch(podLines(p), p.netns)));
}
