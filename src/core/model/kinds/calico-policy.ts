// projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy and their staged forms -> Policy,
// validated as Calico v3.32+ accepts them (validator v3 plus the CRD schema and CEL rules),
// types defaulted and selectors scoped as libcalico-go does. Research, with the source of
// every fact: docs/research/calico-semantics.md.
import { selectorFromNode } from '../../selector/index.js';
import type { Selector, SelectorNode } from '../../selector/index.js';
import { quote } from '../issues.js';
import { nameProblem, readMeta } from '../k8s-meta.js';
import type { Reader } from '../reader.js';
import { EP_HOST, EP_POD } from '../types.js';
import type {
  EndpointSelector,
  Policy,
  PolicyKind,
  PolicyRef,
  SourceRef,
  StagedInfo,
} from '../types.js';
import { matchesWithoutLabels, noDuplicates, optionalSelector } from './calico-entity.js';
import type { RuleScope } from './calico-entity.js';
import { readCalicoRules } from './calico-rule.js';

export type CalicoPolicyKind =
  'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy';

const SPEC_FIELDS = [
  'tier',
  'order',
  'selector',
  'types',
  'ingress',
  'egress',
  'serviceAccountSelector',
  'performanceHints',
];
const GLOBAL_FIELDS = ['namespaceSelector', 'doNotTrack', 'preDNAT', 'applyOnForward'];
const STAGED_ACTIONS = ['Set', 'Delete', 'Learn', 'Ignore'] as const;
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const NP_NAME = new RegExp(
  `^(${LABEL}(\\.${LABEL})?|(knp|ossg)\\.default\\.${LABEL}(\\.${LABEL})*)$`,
);
const GNP_NAME = new RegExp(`^(${LABEL}\\.)?${LABEL}$`);
const REF_KIND: Record<CalicoPolicyKind, PolicyKind> = {
  NetworkPolicy: 'CalicoNetworkPolicy',
  GlobalNetworkPolicy: 'GlobalNetworkPolicy',
  StagedNetworkPolicy: 'StagedNetworkPolicy',
  StagedGlobalNetworkPolicy: 'StagedGlobalNetworkPolicy',
};

interface Types {
  ingress: boolean;
  egress: boolean;
}

/** A Calico (Global/Staged) NetworkPolicy; undefined when invalid or not evaluable. */
export function readCalicoPolicy(
  root: Reader,
  source: SourceRef,
  kind: CalicoPolicyKind,
): Policy | undefined {
  const errorsBefore = errorCount(root);
  const global = kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
  const meta = readMeta(root, { namespaced: !global, nameRule: 'dns-subdomain' });
  if (meta) checkPolicyName(root.at('metadata').at('name'), meta.name, global);
  const spec = root.at('spec');
  if (!spec.require()) return undefined;
  const staged = kind.startsWith('Staged');
  spec.object([
    ...SPEC_FIELDS,
    ...(global ? GLOBAL_FIELDS : []),
    ...(staged ? ['stagedAction'] : []),
  ]);
  const action = staged ? readStagedAction(spec) : undefined;
  const tier = readTierName(spec.at('tier'));
  const namespace = global ? undefined : (meta?.namespace ?? 'default');
  const scope: RuleScope = { global, ...(namespace !== undefined ? { namespace } : {}) };
  const body = action === 'Delete' ? deleteBody(spec, scope) : readBody(spec, scope);
  const evaluable = global && action !== 'Delete' ? checkGlobalFlags(spec, body.types) : true;
  if (!meta || errorCount(root) > errorsBefore || !evaluable) return undefined;
  const ref = policyRef(kind, meta.name, namespace);
  return {
    ref,
    tier,
    order: body.order,
    ...(action ? { staged: stagedInfo(ref, action) } : {}),
    ...body.policy,
    source,
  };
}

function errorCount(r: Reader): number {
  return r.ctx.issues.filter((i) => i.severity === 'error').length;
}

function policyRef(kind: CalicoPolicyKind, name: string, namespace: string | undefined): PolicyRef {
  return { kind: REF_KIND[kind], name, ...(namespace !== undefined ? { namespace } : {}) };
}

function stagedInfo(ref: PolicyRef, action: 'Set' | 'Delete'): StagedInfo {
  const kind: PolicyKind =
    ref.kind === 'StagedGlobalNetworkPolicy' ? 'GlobalNetworkPolicy' : 'CalicoNetworkPolicy';
  return { action, target: { ...ref, kind } };
}

/** Policy names: a DNS label with at most one '.' (the old `tier.name` form stays valid). */
function checkPolicyName(r: Reader, name: string, global: boolean): void {
  if ((global ? GNP_NAME : NP_NAME).test(name)) return;
  r.error(
    'name.invalid',
    `${quote(name)} is not a valid policy name: use lower case alphanumeric characters or '-', starting and ending with an alphanumeric character, with at most one '.'`,
  );
}

function readTierName(r: Reader): string {
  const tier = r.string();
  if (tier === undefined || tier === '') return 'default';
  const p = nameProblem(tier, 'dns-subdomain');
  if (p) r.error('name.invalid', `tier ${quote(tier)} is not a valid tier name: ${p}`);
  return tier;
}

/** spec.stagedAction: Set (default) or Delete; Learn and Ignore act like Set (with a warning). */
export function readStagedAction(spec: Reader): 'Set' | 'Delete' | undefined {
  const r = spec.at('stagedAction');
  if (r.missing || r.value === '') return 'Set';
  const a = r.oneOf(STAGED_ACTIONS);
  if (a === 'Learn' || a === 'Ignore') {
    r.warn(
      'staged.action',
      `stagedAction ${a} is evaluated like Set: Calico hands every staged policy but a Delete to Felix`,
    );
    return 'Set';
  }
  return a;
}

/** A Delete carries nothing but its tier (validator: every other spec field zero-valued). */
function deleteBody(spec: Reader, scope: RuleScope): Body {
  const obj = spec.object() ?? {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'tier' || k === 'stagedAction' || v === null || v === '' || v === false) continue;
    spec
      .at(k)
      .error(
        'staged.delete',
        `spec.${k} must not be set when stagedAction is Delete (only tier may be)`,
      );
  }
  const subject: EndpointSelector =
    scope.namespace !== undefined
      ? { kinds: EP_POD, namespace: scope.namespace }
      : { kinds: EP_POD | EP_HOST };
  return { order: undefined, types: { ingress: false, egress: false }, policy: { subject } };
}

interface Body {
  order: number | undefined;
  types: Types;
  policy: Pick<Policy, 'subject' | 'ingress' | 'egress'>;
}

function readBody(spec: Reader, scope: RuleScope): Body {
  const order = spec.at('order').number();
  const types = readTypes(spec);
  const subject = scope.global
    ? globalSubject(spec)
    : namespacedSubject(spec, scope.namespace ?? 'default');
  const ingress = readCalicoRules(spec.at('ingress'), 'ingress', scope);
  const egress = readCalicoRules(spec.at('egress'), 'egress', scope);
  readHints(spec.at('performanceHints'));
  return {
    order,
    types,
    policy: { subject, ...(types.ingress ? { ingress } : {}), ...(types.egress ? { egress } : {}) },
  };
}

/**
 * `types`, or Calico's default when absent: Ingress when there are no egress rules (even with
 * no ingress rules), Egress when there are only egress rules, both when there are both.
 */
function readTypes(spec: Reader): Types {
  const r = spec.at('types');
  const count = (k: string): number => {
    const v = spec.at(k).value;
    return Array.isArray(v) ? v.length : 0;
  };
  if (r.missing) {
    if (count('egress') === 0) return { ingress: true, egress: false };
    return { ingress: count('ingress') > 0, egress: true };
  }
  const items = r.list({ min: 1, max: 2 }) ?? [];
  const types = items.map((item) => item.oneOf(['Ingress', 'Egress'] as const));
  noDuplicates(r);
  return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
}

function readHints(r: Reader): void {
  for (const item of r.list() ?? []) item.oneOf(['AssumeNeededOnEveryNode'] as const);
  noDuplicates(r);
}

/** A NetworkPolicy applies to the pods of its namespace (its selector is ANDed with it). */
function namespacedSubject(spec: Reader, namespace: string): EndpointSelector {
  const selector = optionalSelector(spec.at('selector')) ?? ALL;
  const sa = optionalSelector(spec.at('serviceAccountSelector'));
  return { kinds: EP_POD, namespace, selector, ...(sa ? { serviceAccountSelector: sa } : {}) };
}

/**
 * A GlobalNetworkPolicy applies to pods and host endpoints. Calico rewrites a namespaceSelector
 * or serviceAccountSelector to prefixed labels (all() to "has a namespace/service account"),
 * so host endpoints stay selected only when that selector matches an endpoint with no such
 * labels; the same rewrite turns all() in the policy's own selector into a pods-only match.
 */
function globalSubject(spec: Reader): EndpointSelector {
  const ns = optionalSelector(spec.at('namespaceSelector'));
  const sa = optionalSelector(spec.at('serviceAccountSelector'));
  let selector = optionalSelector(spec.at('selector')) ?? ALL;
  const hosts =
    (!ns || matchesWithoutLabels(ns.ast, false)) && (!sa || matchesWithoutLabels(sa.ast, false));
  const text = spec.at('selector').value;
  if ((ns || sa) && typeof text === 'string' && text !== '') {
    selector = selectorFromNode(
      replaceAll(
        selector.ast,
        ns ? 'projectcalico.org/namespace' : 'projectcalico.org/serviceaccount',
      ),
    );
  }
  return {
    kinds: EP_POD | (hosts ? EP_HOST : 0),
    selector,
    ...(ns ? { namespaceSelector: ns } : {}),
    ...(sa ? { serviceAccountSelector: sa } : {}),
  };
}

const ALL: Selector = selectorFromNode({ kind: 'all' });

function replaceAll(node: SelectorNode, key: string): SelectorNode {
  switch (node.kind) {
    case 'all':
      return { kind: 'has', key };
    case 'not':
      return { kind: 'not', operand: replaceAll(node.operand, key) };
    case 'and':
    case 'or':
      return { kind: node.kind, operands: node.operands.map((o) => replaceAll(o, key)) };
    default:
      return node;
  }
}

/**
 * doNotTrack/preDNAT combinations (GlobalNetworkPolicy only), then whether zonewall can
 * evaluate the policy: untracked and pre-DNAT policies act in other chains, so they are left
 * out with a warning.
 */
function checkGlobalFlags(spec: Reader, types: Types): boolean {
  const dnt = spec.at('doNotTrack').bool() ?? false;
  const pre = spec.at('preDNAT').bool() ?? false;
  const forward = spec.at('applyOnForward').bool() ?? false;
  const egressRules = spec.at('egress').value;
  if (dnt && pre)
    spec.at('preDNAT').error('policy.preDNAT', 'preDNAT and doNotTrack cannot both be true');
  if (pre && Array.isArray(egressRules) && egressRules.length > 0) {
    spec.at('egress').error('policy.preDNAT', 'a preDNAT policy cannot have egress rules');
  }
  if (pre && !spec.at('types').missing && types.egress) {
    spec.at('types').error('policy.preDNAT', "a preDNAT policy cannot have the 'Egress' type");
  }
  if ((dnt || pre) && !forward) {
    spec
      .at('applyOnForward')
      .error(
        'policy.applyOnForward',
        'applyOnForward must be true when preDNAT or doNotTrack is true',
      );
  }
  if (!dnt && !pre) return true;
  spec
    .at(dnt ? 'doNotTrack' : 'preDNAT')
    .warn(
      'unsupported',
      `${dnt ? 'doNotTrack' : 'preDNAT'} policies act before connection tracking or DNAT, which zonewall does not model; this policy is left out of evaluation`,
    );
  return false;
}
