// STAND-IN, NOT PAN-OS: an HTTP(S) server that answers like the PAN-OS / Panorama XML API as
// documented (see stand-in-api.ts for the pages it is built from), with faults to inject:
// hanging answers, 403, HTTP errors, malformed and truncated XML, connections cut mid-answer,
// whole outages (the port stops listening) and per-entry User-ID rejections. Loopback only.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { parseXml } from '../xml.js';
import { FORBIDDEN, answer, apiError } from './stand-in-api.js';
import type { Answer, StandInState } from './stand-in-api.js';

export type Fault =
  | { kind: 'hang' }
  | { kind: 'forbidden' }
  | { kind: 'api-error'; code: number; message?: string }
  | { kind: 'http'; status: number }
  | { kind: 'malformed' }
  | { kind: 'truncated-xml' }
  | { kind: 'reset' };

export interface StandInOptions {
  /** A configuration export (`<config>...`), served by `type=config`. */
  config?: string;
  keys?: string[];
  users?: Record<string, string>;
  /** PEM key and certificate: serve HTTPS. */
  tls?: { key: string; cert: string };
  maxTagsPerIp?: number;
  /** Largest request body accepted (the documented 5 MB). */
  maxBodyBytes?: number;
  now?: () => number;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

export interface RequestRecord {
  type: string;
  bytes: number;
  cmd?: string;
}

/** A running stand-in. */
export class PanosStandIn {
  readonly state: StandInState;
  readonly requests: RequestRecord[] = [];
  private readonly faults: { fault: Fault; type?: string }[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: http.Server;
  private port = 0;
  private readonly maxBody: number;
  private readonly scheme: 'http' | 'https';
  private readonly tls: https.ServerOptions;

  private constructor(o: StandInOptions) {
    this.state = {
      config: o.config !== undefined ? parseXml(o.config) : undefined,
      keys: new Set(o.keys ?? ['stand-in-key']),
      users: new Map(Object.entries(o.users ?? { admin: 'admin-password' })),
      registered: new Map(),
      rejectIps: new Map(),
      maxTagsPerIp: o.maxTagsPerIp ?? 32,
      now: o.now ?? Date.now,
    };
    this.maxBody = o.maxBodyBytes ?? 5 * 1000 * 1000;
    this.scheme = o.tls ? 'https' : 'http';
    this.tls = o.tls ?? {};
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void =>
      void this.handle(req, res);
    this.server = o.tls ? https.createServer(o.tls, handler) : http.createServer(handler);
    this.track(this.server);
  }

  /** Start listening on 127.0.0.1 (port 0: any free port). */
  static async start(o: StandInOptions = {}): Promise<PanosStandIn> {
    const s = new PanosStandIn(o);
    await s.listen(o.port ?? 0);
    return s;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  /** Replace the served configuration. */
  setConfig(xml: string): void {
    this.state.config = parseXml(xml);
  }

  /** Give `fault` to the next `times` requests (of one type, if given). */
  inject(fault: Fault, times = 1, type?: string): void {
    for (let i = 0; i < times; i++) this.faults.push({ fault, ...(type ? { type } : {}) });
  }

  /** Reject every registration of this address with a per-entry message. */
  rejectIp(ip: string, message: string): void {
    this.state.rejectIps.set(ip, message);
  }

  /** Stop listening (connections are refused) until `up()`. */
  async down(): Promise<void> {
    await this.closeServer();
  }

  /** Listen again on the same port. */
  async up(): Promise<void> {
    const h = this.server.listeners('request')[0] as http.RequestListener;
    this.server = this.scheme === 'https' ? https.createServer(this.tls, h) : http.createServer(h);
    this.track(this.server);
    await this.listen(this.port);
  }

  /** Tags registered for an address now (expired ones dropped). */
  tagsOf(ip: string): string[] {
    const r = this.state.registered.get(ip);
    if (!r) return [];
    const t = this.state.now();
    return [...r.tags].filter(([, exp]) => exp === undefined || exp > t).map(([k]) => k);
  }

  async close(): Promise<void> {
    await this.closeServer();
  }

  private track(server: http.Server): void {
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        resolve();
      });
    });
  }

  private closeServer(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const c of req) {
      bytes += (c as Buffer).length;
      if (bytes <= this.maxBody) chunks.push(c as Buffer);
    }
    const params = new URLSearchParams(new URL(req.url ?? '/', 'http://x').search);
    if (req.method === 'POST')
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
        params.set(k, v);
    const type = params.get('type') ?? '';
    this.requests.push({
      type,
      bytes,
      ...(params.get('cmd') !== null ? { cmd: params.get('cmd') as string } : {}),
    });
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/api/')
      return send(res, { status: 404, body: 'not found' });
    if (bytes > this.maxBody)
      return send(res, apiError(400, `request is ${bytes} bytes, over the 5 MB limit`, 400));
    const i = this.faults.findIndex((f) => f.type === undefined || f.type === type);
    const fault = i >= 0 ? this.faults.splice(i, 1)[0]?.fault : undefined;
    if (fault) return this.fault(fault, req, res);
    const header = req.headers['x-pan-key'];
    send(res, answer(this.state, params, typeof header === 'string' ? header : undefined));
  }

  private fault(f: Fault, req: http.IncomingMessage, res: http.ServerResponse): void {
    switch (f.kind) {
      case 'hang':
        return; // the socket is destroyed by close()/down(), or by the client's deadline
      case 'forbidden':
        return send(res, FORBIDDEN);
      case 'api-error':
        return send(res, apiError(f.code, f.message ?? 'injected error'));
      case 'http':
        return send(res, {
          status: f.status,
          body: '<html><body>Service Unavailable</body></html>',
        });
      case 'malformed':
        return send(res, { status: 200, body: 'this is not XML <<<' });
      case 'truncated-xml':
        return send(res, {
          status: 200,
          body: '<response status="success"><result><config><devices><entry name="loc',
        });
      case 'reset': {
        res.writeHead(200, { 'content-type': 'application/xml', 'content-length': 1000 });
        res.write('<response status="success"><result>');
        setImmediate(() => req.socket.destroy());
        return;
      }
    }
  }
}

function send(res: http.ServerResponse, a: Answer): void {
  res.writeHead(a.status, {
    'content-type': 'application/xml; charset=utf-8',
    'content-length': Buffer.byteLength(a.body),
  });
  res.end(a.body);
}
