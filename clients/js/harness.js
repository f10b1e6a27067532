// Test harness: starts a freshly built `chimed serve` on a free loopback port with a temporary store and hands
// out aws-sdk-js v3 clients and signed control-endpoint calls.
//
// The one place that decides the server command line and the credentials is `ChimedServer` below, steered by
// CHIMED_AUTH_MODE: "sigv4" (default: real signature checks, credentials minted with `chimed credentials create
// --aws-account-id ID --db sqlite:PATH`) or "any" (emulator: any well-formed SigV4 header, the 12-digit access key
// id is the AWS account, any secret).
import { spawn, spawnSync } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ChimeClient } from "@aws-sdk/client-chime";
import { SignatureV4 } from "@smithy/signature-v4";

export const AUTH_MODE = process.env.CHIMED_AUTH_MODE || "sigv4";
export const MAIN_AWS_ACCOUNT = "111122223333";
export const OTHER_AWS_ACCOUNT = "444455556666";
export const REGION = "us-east-1";
export const RUN = randomUUID().slice(0, 8);

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let builtBin;
/** The server binary: $CHIMED_BIN, else built once with `go build` into a temporary directory. */
export function chimedBin() {
  if (process.env.CHIMED_BIN) return process.env.CHIMED_BIN;
  if (!builtBin) {
    builtBin = path.join(mkdtempSync(path.join(os.tmpdir(), "chimed-bin-")), "chimed");
    const r = spawnSync("go", ["build", "-o", builtBin, "./cmd/chimed"], { cwd: REPO, stdio: "inherit" });
    if (r.status !== 0) throw new Error("go build failed");
  }
  return builtBin;
}

/** The environment for chimed processes: ours, minus any CHIMED_* setting that could change the server. */
function serverEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CHIMED_")));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpGet(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function parseCredentials(text) {
  const vals = {};
  for (let line of text.split("\n")) {
    line = line.trim().replace(/^export /, "");
    const i = line.indexOf("=");
    if (i > 0) vals[line.slice(0, i).trim()] = line.slice(i + 1).trim().replace(/^['"]|['"]$/g, "");
  }
  return { accessKeyId: vals.AWS_ACCESS_KEY_ID, secretAccessKey: vals.AWS_SECRET_ACCESS_KEY };
}

/** SHA-256 for @smithy/signature-v4, on node:crypto. */
class Sha256 {
  constructor(secret) {
    this.h = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data) {
    this.h.update(typeof data === "string" ? Buffer.from(data, "utf8") : data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

/**
 * urlPath split into the path and the query as @smithy/signature-v4 signs it: {name: value or [values…]}, decoded as
 * the server decodes it (url.QueryUnescape: "+" is a space), so the signer's canonical query matches the server's.
 */
export function splitQuery(urlPath) {
  const i = urlPath.indexOf("?");
  if (i < 0) return [urlPath, {}];
  const query = {};
  for (const [k, v] of new URLSearchParams(urlPath.slice(i + 1))) {
    if (!(k in query)) query[k] = v;
    else if (Array.isArray(query[k])) query[k].push(v);
    else query[k] = [query[k], v];
  }
  return [urlPath.slice(0, i), query];
}

export class ChimedServer {
  constructor({ authMode = AUTH_MODE, extraArgs = [] } = {}) {
    this.bin = chimedBin();
    this.authMode = authMode;
    this.extraArgs = extraArgs;
    this.dir = mkdtempSync(path.join(os.tmpdir(), "chimed-js-"));
    this.db = "sqlite:" + path.join(this.dir, "c.db");
    this.creds = new Map();
  }

  /** Credentials acting in awsAccountId ({accessKeyId, secretAccessKey}). */
  credentials(awsAccountId = MAIN_AWS_ACCOUNT, { readOnly = false } = {}) {
    const key = `${awsAccountId}/${readOnly}`;
    if (this.creds.has(key)) return this.creds.get(key);
    let c;
    if (this.authMode === "any") {
      if (readOnly) throw new Error("read-only credentials need --auth sigv4");
      c = { accessKeyId: awsAccountId, secretAccessKey: `any-secret-${RUN}` };
    } else if (this.authMode === "sigv4") {
      const args = ["credentials", "create", "--aws-account-id", awsAccountId, "--db", this.db];
      if (readOnly) args.push("--read-only");
      const r = spawnSync(this.bin, args, { env: serverEnv(), encoding: "utf8" });
      if (r.status !== 0) throw new Error(`chimed credentials create failed (${r.status}): ${r.stderr}`);
      c = parseCredentials(r.stdout);
    } else {
      throw new Error(`CHIMED_AUTH_MODE must be any or sigv4, not ${this.authMode}`);
    }
    this.creds.set(key, c);
    return c;
  }

  async start() {
    this.credentials(); // before serve, so a sigv4 server finds a non-empty credential store
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freePort();
      this.endpoint = `http://127.0.0.1:${this.port}`;
      const log = openSync(path.join(this.dir, "server.log"), "a");
      this.proc = spawn(
        this.bin,
        ["serve", "--listen", `127.0.0.1:${this.port}`, "--db", this.db, "--auth", this.authMode, ...this.extraArgs],
        { env: serverEnv(), stdio: ["ignore", log, log] },
      );
      closeSync(log);
      let exited = false;
      this.proc.once("exit", () => (exited = true));
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline && !exited) {
        if ((await httpGet(this.endpoint + "/_chimed/health")) === 200) return this;
        await sleep(50);
      }
      await this.stop();
    }
    throw new Error("chimed did not start:\n" + this.logTail());
  }

  logTail() {
    try {
      return readFileSync(path.join(this.dir, "server.log"), "utf8").slice(-4000);
    } catch {
      return "";
    }
  }

  async stop() {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), 10000);
    await done;
    clearTimeout(t);
  }

  async cleanup() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client({ awsAccountId = MAIN_AWS_ACCOUNT, region = REGION, readOnly = false, credentials } = {}) {
    return new ChimeClient({
      region,
      endpoint: this.endpoint,
      credentials: credentials || this.credentials(awsAccountId, { readOnly }),
      maxAttempts: 1,
    });
  }

  /**
   * A signed /_chimed/ control call: {status, body}. urlPath may carry a query string ("/_chimed/bot-events?bot-id=…"):
   * it is sent as given and its parameters are signed.
   */
  async control(method, urlPath, body, { awsAccountId = MAIN_AWS_ACCOUNT, region = REGION } = {}) {
    const [pathOnly, query] = splitQuery(urlPath);
    const signer = new SignatureV4({
      service: "chime",
      region,
      credentials: this.credentials(awsAccountId),
      sha256: Sha256,
    });
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = { host: `127.0.0.1:${this.port}` };
    if (data !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(data));
    }
    const signed = await signer.sign({
      method,
      protocol: "http:",
      hostname: "127.0.0.1",
      port: this.port,
      path: pathOnly,
      query,
      headers,
      body: data,
    });
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: this.port, method, path: urlPath, headers: signed.headers },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode, body: raw ? JSON.parse(raw) : undefined });
          });
        },
      );
      req.on("error", reject);
      if (data !== undefined) req.write(data);
      req.end();
    });
  }
}

/** Why the binary cannot run the sigv4-only tests, or "" when it can. */
export function sigv4UnsupportedReason() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chimed-probe-"));
  try {
    const r = spawnSync(
      chimedBin(),
      ["credentials", "create", "--aws-account-id", MAIN_AWS_ACCOUNT, "--read-only", "--db", "sqlite:" + path.join(dir, "p.db")],
      { env: serverEnv(), encoding: "utf8" },
    );
    if (r.status !== 0 || !r.stdout.includes("AWS_ACCESS_KEY_ID=")) {
      return `server binary lacks \`chimed credentials create --read-only\` (exit ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 200)}); runs once --auth sigv4 lands`;
    }
    if (!serveHelp().includes("sigv4")) return "`chimed serve --help` does not mention --auth sigv4";
    return "";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The output of `chimed serve --help` (flag help goes to stderr). */
export function serveHelp() {
  const r = spawnSync(chimedBin(), ["serve", "--help"], { env: serverEnv(), encoding: "utf8" });
  return (r.stdout || "") + (r.stderr || "");
}
