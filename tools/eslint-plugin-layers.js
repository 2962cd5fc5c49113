// Enforces the import direction of DESIGN.md ("Parts, in dependency order").
// A file may import its own part and the parts it is allowed to depend on; nothing
// outside `src/cli` may import `cli`, `server` or `controller` (the entry points).
import path from 'node:path';

/** Which parts each part may import (besides itself). */
export const ALLOWED = {
  'core/selector': [],
  'core/net': [],
  'core/model': ['core/selector', 'core/net'],
  'core/engine': ['core/model', 'core/selector', 'core/net'],
  'core/zones': ['core/model', 'core/selector', 'core/net', 'core/engine'],
  'core/targets': ['core/model', 'core/selector', 'core/net', 'core/engine', 'core/zones'],
  'core/firewall': ['core/model', 'core/selector', 'core/net', 'core/zones'],
  'core/analysis': [
    'core/model',
    'core/selector',
    'core/net',
    'core/engine',
    'core/zones',
    'core/targets',
    'core/firewall',
  ],
  core: [],
  flows: ['core'],
  store: ['core', 'flows'],
  integrations: ['core', 'flows', 'store'],
  dataplane: ['core', 'flows', 'store', 'integrations'],
  server: ['core', 'flows', 'store', 'integrations', 'dataplane'],
  controller: ['core', 'flows', 'store', 'integrations', 'dataplane'],
  cli: ['core', 'flows', 'store', 'integrations', 'dataplane', 'server', 'controller'],
};

const CORE_SUBPARTS = new Set([
  'model',
  'selector',
  'net',
  'engine',
  'zones',
  'targets',
  'firewall',
  'analysis',
]);

/** The part a path under src/ belongs to, or undefined outside src/. */
export function partOf(file, root) {
  const rel = path.relative(path.join(root, 'src'), file).split(path.sep);
  if (rel[0] === '..' || rel.length < 2) return undefined;
  if (rel[0] === 'core') {
    return rel.length > 2 && CORE_SUBPARTS.has(rel[1]) ? `core/${rel[1]}` : 'core';
  }
  return rel[0];
}

function allowed(from, to) {
  if (from === to) return true;
  const top = (p) => p.split('/')[0];
  // Core subparts: listed explicitly. Loose files directly in core/ are shared by all of core.
  if (top(from) === 'core' && top(to) === 'core') {
    if (to === 'core') return true;
    return (ALLOWED[from] ?? []).includes(to);
  }
  const list = ALLOWED[top(from)] ?? [];
  return list.includes(top(to));
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports point down the dependency list of DESIGN.md only' },
    schema: [],
    messages: {
      wrongWay: "'{{from}}' may not import '{{to}}' (DESIGN.md: imports point down the part list)",
      nodeInCore: "core is pure: no Node built-ins ('{{spec}}'); it also runs in the browser",
    },
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const from = partOf(file, root);
    if (!from) return {};
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      // Tests run only on Node: they may read fixtures from disk.
      const isTest = file.endsWith('.test.ts');
      if (
        from.startsWith('core') &&
        !isTest &&
        (spec.startsWith('node:') || NODE_BUILTINS.has(spec))
      ) {
        context.report({ node, messageId: 'nodeInCore', data: { spec } });
        return;
      }
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = partOf(target, root);
      if (!to) return;
      if (!allowed(from, to)) context.report({ node, messageId: 'wrongWay', data: { from, to } });
    }
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

const NODE_BUILTINS = new Set([
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'util',
  'stream',
  'events',
  'buffer',
  'process',
  'worker_threads',
  'zlib',
]);

export default { rules: { 'import-direction': rule } };
