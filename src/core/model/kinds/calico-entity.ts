// Calico v3 EntityRule (a rule's source or destination) -> PeerMatch: nets, selectors scoped
// as libcalico-go's update processors scope them, ports with named ports, and services
// (validated, then reported unsupported). Sources: docs/research/calico-semantics.md.
import {
  CidrSet,
  calicoProtocolSupportsPorts,
  parseCalicoPort,
  parseCIDR,
  PROTO,
} from '../../net/index.js';
import type { CIDR } from '../../net/index.js';
import { selectorFromNode, tokenize } from '../../selector/index.js';
import type { Selector, SelectorNode } from '../../selector/index.js';
import { quote } from '../issues.js';
import { nameProblem } from '../k8s-meta.js';
import type { Reader } from '../reader.js';
import { readSelectorField } from '../selector-field.js';
import { EP_ALL, EP_HOST, EP_NETSET, EP_POD } from '../types.js';
import type { EndpointSelector, PeerMatch, PortMatch } from '../types.js';

export type Dir = 'ingress' | 'egress';

/** Where a rule lives: a namespaced policy scopes its selectors to its namespace. */
export interface RuleScope {
  namespace?: string;
  global: boolean;
}

const ENTITY_FIELDS = [
  'nets',
  'notNets',
  'selector',
  'notSelector',
  'namespaceSelector',
  'ports',
  'notPorts',
  'serviceAccounts',
  'services',
];
const MAX_SELECTOR = 1024;
const MAX_PORTS = 50;
const PORTS_NEED_PROTOCOL = 'rules that specify ports must set protocol to TCP or UDP or SCTP';
const NUMERIC_PORTS_NEED_PROTOCOL =
  'rules with numeric port or port range must set protocol to TCP or UDP or SCTP';
const UNSUPPORTED_SERVICES =
  'services matches are not supported: zonewall has no Service endpoints, so a verdict for this rule would be wrong';

/** A selector-valued field; "" counts as unset (Go's omitempty), as do absent and null. */
export function optionalSelector(r: Reader, allowGlobal = false): Selector | undefined {
  if (r.missing || r.value === '') return undefined;
  if (typeof r.value === 'string' && r.value.length > MAX_SELECTOR) {
    r.error(
      'field.tooLong',
      `${r.label()} may have at most ${MAX_SELECTOR} characters, has ${r.value.length}`,
    );
    return undefined;
  }
  return readSelectorField(r, { allowGlobal, whenMissing: 'none' });
}

/**
 * How a Calico selector over prefixed labels (`pcns.`, `pcsa.`) evaluates for an endpoint that
 * has none of them (a host endpoint or GlobalNetworkSet for namespace labels, anything but a
 * pod for service-account labels). `all` is what all() became in the conversion.
 */
export function matchesWithoutLabels(node: SelectorNode, all: boolean): boolean {
  switch (node.kind) {
    case 'all':
      return all;
    case 'global':
    case 'neq':
    case 'notin':
      return true;
    case 'not':
      return !matchesWithoutLabels(node.operand, all);
    case 'and':
      return node.operands.every((o) => matchesWithoutLabels(o, all));
    case 'or':
      return node.operands.some((o) => matchesWithoutLabels(o, all));
    default:
      return false;
  }
}

/** What an entity rule needs from its rule. */
export interface SideCtx {
  dir: Dir;
  scope: RuleScope;
  protocol: number | undefined;
  hasProtocol: boolean;
}

/** One side of a rule; `nets` are [nets, notNets] for the rule's family checks. */
export function readEntity(
  r: Reader,
  side: 'source' | 'destination',
  ctx: SideCtx,
): { peer: PeerMatch; nets: CIDR[][] } {
  r.object(ENTITY_FIELDS);
  const nets = readNets(r.at('nets'), false);
  const notNets = readNets(r.at('notNets'), true);
  const selector = optionalSelector(r.at('selector'));
  const notSelector = optionalSelector(r.at('notSelector'), true);
  const nsSelector = readNamespaceSelector(r.at('namespaceSelector'));
  const sa = readServiceAccounts(r.at('serviceAccounts'));
  const ports = readPorts(r.at('ports'), ctx);
  const notPorts = readPorts(r.at('notPorts'), ctx);
  readServices(r, side, ctx);
  const positive = positiveSelector({ selector, notSelector, nsSelector, ...sa }, ctx.scope);
  const peer: PeerMatch = {
    ...(nets ? { nets: CidrSet.of(nets) } : {}),
    ...(notNets ? { notNets: CidrSet.of(notNets) } : {}),
    ...(positive ? { selector: positive } : {}),
    ...(!positive && notSelector ? { notSelector: { kinds: EP_ALL, selector: notSelector } } : {}),
    ...(ports ? { ports } : {}),
    ...(notPorts ? { notPorts } : {}),
  };
  return { peer, nets: [nets ?? [], notNets ?? []] };
}

/** A namespaceSelector; `global()` must stand alone (validator: tokens are `global`, EOF). */
function readNamespaceSelector(r: Reader): Selector | undefined {
  const text = r.value;
  if (typeof text === 'string' && text.includes('global(') && text !== 'global()') {
    const t = tokenize(text);
    if (!t.ok || t.tokens.length > 2 || t.tokens[0]?.kind !== 'global') {
      r.error(
        'selector.global',
        `global() cannot be combined with other selectors, found ${quote(text)}`,
      );
      return undefined;
    }
  }
  return optionalSelector(r, true);
}

function readServiceAccounts(r: Reader): { saNames?: string[]; saSelector?: Selector } {
  if (!r.object(['names', 'selector'])) return {};
  const names = r.at('names').strings() ?? [];
  noDuplicates(r.at('names'));
  const saSelector = optionalSelector(r.at('selector'), true);
  return { ...(names.length > 0 ? { saNames: names } : {}), ...(saSelector ? { saSelector } : {}) };
}

interface EntitySelectors {
  selector?: Selector;
  notSelector?: Selector;
  nsSelector?: Selector;
  saNames?: string[];
  saSelector?: Selector;
}

/**
 * The endpoints a rule side selects, as libcalico-go's GetEntityRuleSelector builds it: a
 * namespaced policy limits its selectors (notSelector included) to its namespace, a
 * namespaceSelector replaces that scope, service accounts restrict to pods, and a notSelector
 * folds into the positive selector when there is one (Felix's combineMatchesIfPossible).
 */
function positiveSelector(e: EntitySelectors, scope: RuleScope): EndpointSelector | undefined {
  const scoped = scope.namespace !== undefined && e.notSelector !== undefined;
  if (!e.selector && !e.saNames && !e.saSelector && !e.nsSelector && !scoped) return undefined;
  let kinds = EP_ALL;
  if (e.nsSelector?.ast.kind === 'global') kinds = EP_HOST | EP_NETSET;
  else if (e.nsSelector)
    kinds = EP_POD | EP_NETSET | (matchesWithoutLabels(e.nsSelector.ast, false) ? EP_HOST : 0);
  else if (scope.namespace !== undefined) kinds = EP_POD | EP_NETSET;
  if (e.saNames || (e.saSelector && !matchesWithoutLabels(e.saSelector.ast, true))) kinds &= EP_POD;
  const labels = e.notSelector ? foldNot(e.selector, e.notSelector) : e.selector;
  return {
    kinds,
    ...(e.nsSelector
      ? { namespaceSelector: e.nsSelector }
      : scope.namespace !== undefined
        ? { namespace: scope.namespace }
        : {}),
    ...(labels ? { selector: labels } : {}),
    ...(e.saNames ? { serviceAccountNames: e.saNames } : {}),
    ...(e.saSelector ? { serviceAccountSelector: e.saSelector } : {}),
  };
}

function foldNot(selector: Selector | undefined, not: Selector): Selector {
  const negated: SelectorNode = { kind: 'not', operand: not.ast };
  return selectorFromNode(selector ? { kind: 'and', operands: [selector.ast, negated] } : negated);
}

/** ports/notPorts: numbers, "min:max" ranges and port names; named ports take the rule's protocol. */
function readPorts(r: Reader, ctx: SideCtx): PortMatch[] | undefined {
  const items = r.list({ max: MAX_PORTS });
  if (!items || items.length === 0) return undefined;
  // Felix resolves a named port with the rule's protocol, TCP when the rule names none.
  const namedProto =
    ctx.protocol === PROTO.UDP || ctx.protocol === PROTO.SCTP ? ctx.protocol : PROTO.TCP;
  const out: PortMatch[] = [];
  for (const item of items) {
    const p = parseCalicoPort(item.value);
    if (!p.ok) item.error('port.invalid', p.message);
    else if (p.spec.kind === 'named')
      out.push({ kind: 'named', name: p.spec.name, protocol: namedProto });
    else out.push(p.spec);
  }
  if (ctx.hasProtocol && ctx.protocol !== undefined && !calicoProtocolSupportsPorts(ctx.protocol)) {
    r.error('rule.portsProtocol', `${PORTS_NEED_PROTOCOL}, found protocol ${ctx.protocol}`);
  } else if (!ctx.hasProtocol && out.some((p) => p.kind === 'range')) {
    r.error(
      'rule.portsProtocol',
      `${NUMERIC_PORTS_NEED_PROTOCOL} (only named ports may go without a protocol)`,
    );
  }
  return out;
}

function readServices(e: Reader, side: 'source' | 'destination', ctx: SideCtx): void {
  const r = e.at('services');
  if (!r.object(['name', 'namespace'])) return;
  const name = r.at('name').string();
  if (!name) r.at('name').error('field.required', 'services must specify a service name');
  for (const f of ['name', 'namespace']) checkServiceName(r.at(f));
  // A namespaced policy's services default to its own namespace; a global one must say.
  if (ctx.scope.global && !r.at('namespace').string()) {
    r.at('namespace').error(
      'field.required',
      'a GlobalNetworkPolicy services match must specify a namespace',
    );
  }
  const clash = [
    'selector',
    'notSelector',
    'namespaceSelector',
    'serviceAccounts',
    'nets',
    'notNets',
  ].filter((k) => hasValue(e.at(k)));
  if (clash.length > 0)
    r.error(
      'services.conflict',
      `services cannot be combined with ${clash.join(', ')} on the same side of a rule`,
    );
  const wrongSide =
    (ctx.dir === 'egress' && side === 'source') ||
    (ctx.dir === 'ingress' && side === 'destination');
  if (wrongSide)
    r.error(
      'services.side',
      `services are not allowed in ${ctx.dir} rule ${side}s (only egress destinations and ingress sources)`,
    );
  if (side === 'destination' && (hasValue(e.at('ports')) || hasValue(e.at('notPorts')))) {
    r.error(
      'services.ports',
      'ports and notPorts cannot be specified with destination services (the service decides the ports)',
    );
  }
  r.error('unsupported', UNSUPPORTED_SERVICES);
}

function checkServiceName(r: Reader): void {
  const v = r.string();
  if (!v) return;
  const p = nameProblem(v, 'dns-subdomain');
  if (p) r.error('name.invalid', `${quote(v)} is not a valid name: ${p}`);
}

function hasValue(r: Reader): boolean {
  if (r.missing || r.value === '') return false;
  return !Array.isArray(r.value) || r.value.length > 0;
}

/** Rule nets/notNets: CIDRs with a prefix length and no host bits (validator `net` + ParseCIDR). */
function readNets(r: Reader, negated: boolean): CIDR[] | undefined {
  const items = r.list({ max: 256 });
  if (!items || items.length === 0) return undefined;
  const out: CIDR[] = [];
  for (const item of items) {
    const t = item.string();
    if (t === undefined) continue;
    const p = parseCIDR(t);
    if (!p.ok || !t.includes('/')) {
      item.error(
        'cidr.invalid',
        `${quote(t)} is not a valid CIDR: write an address and prefix length, e.g. "10.0.0.0/16"`,
      );
    } else if (p.hostBitsSet) {
      item.error(
        'cidr.hostBits',
        `${quote(t)} has bits set beyond its prefix length; Calico requires a masked network here`,
      );
    } else if (negated && p.cidr.prefix === 0) {
      item.error(
        'cidr.catchAll',
        `${quote(t)} in ${r.label()} matches every address, so the rule could never match`,
      );
    } else out.push(p.cidr);
  }
  noDuplicates(r);
  return out;
}

/** Lists Kubernetes treats as sets (`x-kubernetes-list-type: set`) reject repeated items. */
export function noDuplicates(r: Reader): void {
  if (!Array.isArray(r.value)) return;
  const seen = new Set<unknown>();
  r.value.forEach((v: unknown, i) => {
    if (seen.has(v)) {
      r.child(i, v).error(
        'field.duplicate',
        `${quote(v)} is listed more than once in ${r.label()}`,
      );
    }
    seen.add(v);
  });
}
