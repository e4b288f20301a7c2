// berth-proxy: the small TCP load balancer berth runs in front of a published Service.
//
// It listens on the Service's published ports and forwards every TCP connection to one of the
// service's ready replicas (round robin). berth owns the list of ready replicas and pushes it here;
// the proxy never probes health itself, so what "ready" means stays in one place (the executor).
//
//   node proxy.mjs                 run the proxy (initial config from $BERTH_PROXY_CONFIG, JSON)
//   node proxy.mjs ctl get         print the current config          } talk to a running proxy over
//   node proxy.mjs ctl put '<json>' replace the config (validated)    } its admin socket; exit 0 on
//   node proxy.mjs ctl stats       print active connections          } success, 1 otherwise
//
// Config: { "listeners": [ { "port": 8080, "backends": ["web-1:8080", "10.0.0.7:8080"] } ] }
//
// Admin: HTTP on a unix socket inside the container ($BERTH_PROXY_ADMIN, default
// /run/berth-proxy/admin.sock). Nothing is listening for admin on any network, so neither the host
// nor other containers can reconfigure the proxy; berth reaches it with `docker exec ... ctl put`,
// which works over every Engine API transport (local socket, tcp+TLS, ssh) and returns the exit
// code of the validation, so a bad config is reported synchronously.
//
// Guarantees:
// - Changing backends never touches established connections: they drain on the old backend, new
//   connections go to the new list. A removed listener stops accepting, its connections drain.
// - A failed connect (backend gone, refused, 2 s timeout) is retried on the next backend before
//   the client sees anything, and that backend is passed over for 2 s, so replacing replicas
//   drops no client connection as long as one backend answers.
// - No npm dependencies: the image is FROM berth/node-base plus this one file.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const ADMIN = process.env.BERTH_PROXY_ADMIN || '/run/berth-proxy/admin.sock';
const CONNECT_TIMEOUT_MS = 2000;
const COOLDOWN_MS = 2000;

if (process.argv[2] === 'ctl') {
  ctl(process.argv[3], process.argv[4]);
} else {
  serve();
}

// ---------------------------------------------------------------- the proxy

function serve() {
  /** port -> { server, backends: string[], next: number } */
  const listeners = new Map();
  /** "host:port" -> { active, total, failures (connects that failed), errors (5xx answers), downUntil } */
  const backendStats = new Map();
  let generation = 0;
  let config = { listeners: [] };

  const stat = (b) => {
    let s = backendStats.get(b);
    if (!s) backendStats.set(b, (s = { active: 0, total: 0, failures: 0, errors: 0, downUntil: 0 }));
    return s;
  };

  function onConnection(listener, client) {
    // The backend list is captured now: a config change during the connect retries must not
    // send this connection to a backend that was never in its list.
    const list = listener.backends;
    if (list.length === 0) return client.destroy();
    const start = listener.next++ % list.length;
    const now = Date.now();
    // Round robin from `start`, but backends that failed recently go last instead of first.
    const order = [];
    for (let i = 0; i < list.length; i++) order.push(list[(start + i) % list.length]);
    order.sort((a, b) => Number(stat(a).downUntil > now) - Number(stat(b).downUntil > now));
    client.on('error', () => {});
    tryBackend(client, order, 0);
  }

  function tryBackend(client, order, i) {
    if (client.destroyed) return;
    if (i >= order.length) return client.destroy();
    const backend = order[i];
    const [host, portText] = splitHostPort(backend);
    const upstream = net.connect({ host, port: Number(portText), allowHalfOpen: true });
    const s = stat(backend);
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
    // The client may give up while we are still connecting: then drop the half-made upstream,
    // or it would stay open (and counted) until the backend closes it.
    const clientGone = () => {
      clearTimeout(timer);
      upstream.removeListener('error', failed);
      upstream.on('error', () => {});
      upstream.destroy();
    };
    client.once('close', clientGone);
    const failed = () => {
      clearTimeout(timer);
      client.removeListener('close', clientGone);
      s.failures++;
      s.downUntil = Date.now() + COOLDOWN_MS;
      tryBackend(client, order, i + 1);
    };
    upstream.once('error', failed);
    upstream.once('connect', () => {
      clearTimeout(timer);
      client.removeListener('close', clientGone);
      upstream.removeListener('error', failed);
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      s.active++;
      s.total++;
      s.downUntil = 0;
      // A 5xx status line at the start of the answer is a failed request (a canary's error
      // count). Only each connection's first answer is read: the proxy forwards bytes, it does
      // not parse HTTP, and a keep-alive connection's later answers are not told apart.
      upstream.once('data', (chunk) => {
        if (/^HTTP\/\d(?:\.\d)? 5\d\d /.test(chunk.toString('latin1', 0, 16))) s.errors++;
      });
      let closed = false;
      const done = () => {
        if (closed) return;
        closed = true;
        s.active--;
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', done);
      client.on('error', done);
      upstream.on('close', done);
      client.on('close', done);
      // pipe() forwards end() too, so half-closes (HTTP/1.0 clients) pass through.
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  async function apply(next) {
    const problems = validate(next);
    if (problems.length > 0) return { status: 400, body: { error: problems.join('; ') } };
    const wanted = new Map(next.listeners.map((l) => [l.port, l]));
    // Open new ports first; if one cannot bind, close what we just opened and keep the old config,
    // so a config is applied entirely or not at all.
    const opened = [];
    for (const l of next.listeners) {
      if (listeners.has(l.port)) continue;
      const entry = { server: null, backends: [], next: 0, port: l.port };
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (c) => onConnection(entry, c));
      entry.server = server;
      try {
        await new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port: l.port, host: '0.0.0.0' }, resolve);
        });
      } catch (err) {
        for (const o of opened) o.server.close();
        return { status: 409, body: { error: `cannot listen on port ${l.port}: ${err.message}` } };
      }
      opened.push(entry);
    }
    for (const o of opened) listeners.set(o.port, o);
    for (const [port, entry] of listeners) {
      const l = wanted.get(port);
      if (l) {
        entry.backends = [...l.backends];
      } else {
        // Stop accepting; established connections keep running until either side closes.
        entry.server.close();
        listeners.delete(port);
      }
    }
    config = { listeners: next.listeners.map((l) => ({ port: l.port, backends: [...l.backends] })) };
    generation++;
    log(`config ${generation}: ` + config.listeners.map((l) => `${l.port} -> [${l.backends.join(', ')}]`).join('; '));
    return { status: 200, body: { generation, ...config } };
  }

  function stats() {
    const out = { generation, backends: {} };
    for (const [b, s] of [...backendStats].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.backends[b] = { active: s.active, total: s.total, failures: s.failures, errors: s.errors };
    }
    return out;
  }

  // Admin server on a unix socket (see header for why not a TCP port).
  fs.mkdirSync(path.dirname(ADMIN), { recursive: true });
  fs.rmSync(ADMIN, { force: true });
  // A restarted container keeps its files: not ready until this process applied its config.
  fs.rmSync(path.join(path.dirname(ADMIN), 'ready'), { force: true });
  let queue = Promise.resolve();
  const admin = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const reply = (status, obj) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj) + '\n');
      };
      if (req.method === 'GET' && req.url === '/config') return reply(200, { generation, ...config });
      if (req.method === 'GET' && req.url === '/stats') return reply(200, stats());
      if (req.method === 'PUT' && req.url === '/config') {
        let parsed;
        try {
          parsed = JSON.parse(body);
        } catch (err) {
          return reply(400, { error: `config is not JSON: ${err.message}` });
        }
        // Serialise applies: two concurrent PUTs must not interleave their listen() calls.
        queue = queue.then(() => apply(parsed)).then((r) => reply(r.status, r.body));
        return;
      }
      reply(404, { error: `no route ${req.method} ${req.url}` });
    });
  });
  admin.listen(ADMIN, () => fs.chmodSync(ADMIN, 0o600));

  let initial = { listeners: [] };
  if (process.env.BERTH_PROXY_CONFIG) {
    try {
      initial = JSON.parse(process.env.BERTH_PROXY_CONFIG);
    } catch (err) {
      log(`BERTH_PROXY_CONFIG is not JSON: ${err.message}`);
      process.exit(2);
    }
  }
  queue = queue.then(() => apply(initial)).then((r) => {
    if (r.status !== 200) {
      log(`initial config rejected: ${r.body.error}`);
      process.exit(2);
    }
    // The health check only tests this file: spawning a node client every second (the old
    // probe) cost more CPU than the proxy itself and timed out on a loaded machine.
    fs.writeFileSync(path.join(path.dirname(ADMIN), 'ready'), `${process.pid}\n`);
    log(`ready, admin on ${ADMIN}`);
  });

  // On stop: refuse new connections, let established ones finish for up to 5 s, then exit.
  const shutdown = () => {
    for (const l of listeners.values()) l.server.close();
    admin.close();
    const deadline = Date.now() + 5000;
    const check = () => {
      const active = [...backendStats.values()].reduce((n, s) => n + s.active, 0);
      if (active === 0 || Date.now() > deadline) process.exit(0);
      setTimeout(check, 50);
    };
    check();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function validate(c) {
  const problems = [];
  if (typeof c !== 'object' || c === null || !Array.isArray(c.listeners)) return ['expected { listeners: [...] }'];
  const seen = new Set();
  c.listeners.forEach((l, i) => {
    if (typeof l !== 'object' || l === null) return problems.push(`listeners[${i}]: expected an object`);
    if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535) problems.push(`listeners[${i}].port: expected 1..65535`);
    else if (seen.has(l.port)) problems.push(`listeners[${i}].port: ${l.port} appears twice`);
    seen.add(l.port);
    if (!Array.isArray(l.backends)) return problems.push(`listeners[${i}].backends: expected an array`);
    l.backends.forEach((b, j) => {
      const hp = typeof b === 'string' ? splitHostPort(b) : undefined;
      const port = hp ? Number(hp[1]) : NaN;
      if (!hp || !hp[0] || !Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push(`listeners[${i}].backends[${j}]: expected "host:port", got ${JSON.stringify(b)}`);
      }
    });
  });
  return problems;
}

/** "host:port" and "[v6]:port" -> [host, port]. */
function splitHostPort(s) {
  const at = s.lastIndexOf(':');
  if (at <= 0) return undefined;
  let host = s.slice(0, at);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, s.slice(at + 1)];
}

function log(line) {
  process.stdout.write(`${new Date().toISOString()} berth-proxy ${line}\n`);
}

// ---------------------------------------------------------------- ctl (runs via docker exec)

function ctl(verb, arg) {
  const routes = { get: ['GET', '/config'], put: ['PUT', '/config'], stats: ['GET', '/stats'] };
  const route = routes[verb];
  if (!route) {
    process.stderr.write('usage: proxy.mjs ctl get | put <json> | stats\n');
    process.exit(1);
  }
  const req = http.request({ socketPath: ADMIN, method: route[0], path: route[1] }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      const ok = res.statusCode === 200;
      (ok ? process.stdout : process.stderr).write(body);
      process.exit(ok ? 0 : 1);
    });
  });
  req.on('error', (err) => {
    process.stderr.write(`berth-proxy admin socket ${ADMIN}: ${err.message}\n`);
    process.exit(1);
  });
  req.end(verb === 'put' ? (arg ?? '') : undefined);
}
