// The two small programs the lab runs inside pod namespaces (`ip netns exec POD node FILE`):
// a responder on the pod's declared TCP and UDP ports that answers with the pod's name, and
// a prober that tries many destinations at once (bounded) with short timeouts. They are
// plain JavaScript with Node built-ins only, written into the lab's state directory.

/** argv: NAME READY_FILE TCP_PORTS UDP_PORTS (ports comma-separated, may be empty). */
export const RESPONDER = String.raw`'use strict';
const net = require('node:net');
const dgram = require('node:dgram');
const fs = require('node:fs');
const [name, ready, tcp, udp] = process.argv.slice(2);
const list = (s) => (s ? s.split(',').map(Number) : []);
let pending = list(tcp).length + list(udp).length;
const done = () => { if (--pending <= 0) fs.writeFileSync(ready, String(process.pid)); };
if (pending === 0) fs.writeFileSync(ready, String(process.pid));
for (const port of list(tcp)) {
  const srv = net.createServer((s) => { s.on('error', () => {}); s.end(name + '\n'); });
  srv.on('error', (e) => { process.stderr.write('tcp ' + port + ': ' + e.message + '\n'); done(); });
  srv.listen(port, '0.0.0.0', done);
}
for (const port of list(udp)) {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (_m, r) => sock.send(name + '\n', r.port, r.address));
  sock.on('error', (e) => { process.stderr.write('udp ' + port + ': ' + e.message + '\n'); done(); });
  sock.bind(port, '0.0.0.0', done);
}
`;

/**
 * stdin: {"timeoutMs": N, "concurrency": N, "targets": [{"key", "ip", "port", "protocol"}]};
 * stdout: one JSON line per target {"key", "result": "open"|"refused"|"timeout"|"error", "reply"}.
 */
export const PROBER = String.raw`'use strict';
const net = require('node:net');
const dgram = require('node:dgram');
let input = '';
process.stdin.setEncoding('utf8').on('data', (d) => (input += d)).on('end', main);
function tcp(t, ms) {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const s = net.connect({ host: t.ip, port: t.port });
    const end = (result) => { if (settled) return; settled = true; clearTimeout(timer); s.destroy(); resolve({ result, reply: reply.trim() }); };
    const timer = setTimeout(() => end('timeout'), ms);
    s.setEncoding('utf8');
    s.on('connect', () => setTimeout(() => end('open'), 200));
    s.on('data', (d) => { reply += d; if (reply.includes('\n')) end('open'); });
    s.on('error', (e) => end(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));
  });
}
function udp(t, ms) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    let settled = false;
    let again;
    const end = (result, reply) => { if (settled) return; settled = true; clearTimeout(timer); clearTimeout(again); s.close(); resolve({ result, reply: (reply || '').trim() }); };
    const timer = setTimeout(() => end('timeout'), ms);
    const once = () => { if (!settled) s.send('probe', (e) => e && end(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code)); };
    // One resend halfway: a datagram, unlike a SYN, is not retried by the kernel.
    const send = () => { once(); again = setTimeout(once, Math.floor(ms / 2)); };
    s.on('message', (m) => end('open', m.toString('utf8')));
    s.on('error', (e) => end(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));
    s.connect(t.port, t.ip, send);
  });
}
async function main() {
  const { timeoutMs, concurrency, targets } = JSON.parse(input);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const t = targets[next++];
      const r = await (t.protocol === 'UDP' ? udp(t, timeoutMs) : tcp(t, timeoutMs));
      process.stdout.write(JSON.stringify({ key: t.key, ...r }) + '\n');
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
}
`;
