// The server under test for every browser test: `switchboard demo` on a
// fresh data dir and a free loopback port, its printed logins, the tail of
// its output for failure messages, and a stop that never leaves it behind.
//
// CONTRACT with `switchboard demo` stdout (one line each, URL line after the logins):
//   login <login>  password <password>  roles <role,role,...>
//   Switchboard demo: http://127.0.0.1:<port>/

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');

export const BIN = path.resolve(process.env.SWITCHBOARD_BIN || path.join(REPO, 'target', 'debug', 'switchboard'));
export const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM || '/usr/bin/chromium';
export const STARTUP_TIMEOUT_MS = 180_000; // first start seeds the demo data and hashes passwords
export const PAGE_TIMEOUT_MS = 60_000; // debug build

export const LOGIN_LINE = /^\s*login (\S+)\s+password (\S+)\s+roles (\S+)\s*$/;
const URL_LINE = /Switchboard demo:\s*(http:\/\/\S+)/;

export const LAUNCH_OPTIONS = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export class Demo {
  constructor() {
    this.server = null; // child process
    this.dataDir = null;
    this.logins = []; // { login, password, roles: [] }
    this.outputTail = []; // last lines of stdout+stderr
    // Last resort: never leave the server behind, whatever happens to this process.
    process.on('exit', () => this.kill());
  }

  remember(line) {
    this.outputTail.push(line);
    if (this.outputTail.length > 80) this.outputTail.shift();
  }

  tail() {
    return this.outputTail.join('\n');
  }

  kill() {
    const s = this.server;
    if (s && s.exitCode === null && s.signalCode === null) {
      try {
        s.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  // Starts the demo (no live stream: the desk scenarios need queues that stand
  // still); resolves with its base URL, ending in '/'.
  async start({ prefix = 'switchboard-e2e-', env = {} } = {}) {
    assert.ok(fs.existsSync(BIN), `switchboard binary not found at ${BIN} (set SWITCHBOARD_BIN)`);
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const port = await freePort();
    const args = ['demo', '--data', this.dataDir, '--listen', `127.0.0.1:${port}`, '--live-contacts', 'false'];
    const server = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.server = server;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err, url) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(url);
      };
      const timer = setTimeout(() => {
        finish(new Error(`no "Switchboard demo: <url>" line within ${STARTUP_TIMEOUT_MS / 1000}s; output:\n${this.tail()}`));
      }, STARTUP_TIMEOUT_MS);
      // Keep draining both pipes for the server's whole life, so it never blocks on a full pipe.
      const out = readline.createInterface({ input: server.stdout, crlfDelay: Infinity });
      out.on('line', (raw) => {
        const line = raw.replace(/\r$/, '');
        this.remember(line);
        if (done) return;
        const m = LOGIN_LINE.exec(line);
        if (m) {
          this.logins.push({ login: m[1], password: m[2], roles: m[3].split(',').filter(Boolean) });
          return;
        }
        const u = URL_LINE.exec(line);
        if (u) finish(null, u[1].endsWith('/') ? u[1] : `${u[1]}/`);
      });
      const err = readline.createInterface({ input: server.stderr, crlfDelay: Infinity });
      err.on('line', (line) => this.remember(`[stderr] ${line}`));
      server.on('error', (e) => finish(new Error(`cannot start ${BIN}: ${e.message}`)));
      server.on('exit', (code, signal) => {
        finish(new Error(`switchboard demo exited early (code ${code}, signal ${signal}); output:\n${this.tail()}`));
      });
    });
  }

  // SIGTERM, SIGKILL after 10 s; then the data dir is removed unless SWITCHBOARD_E2E_KEEP_DATA is set.
  async stop() {
    const s = this.server;
    if (s && s.exitCode === null && s.signalCode === null) {
      const exited = new Promise((resolve) => s.once('exit', resolve));
      s.kill('SIGTERM');
      const timer = setTimeout(() => this.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.server = null;
    if (this.dataDir && !process.env.SWITCHBOARD_E2E_KEEP_DATA) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
