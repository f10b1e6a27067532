// Authentication-dependent errors with aws-sdk-js v3: ForbiddenException (read-only credentials under
// --auth sigv4), ThrottledClientException (--rate-limit), signature failures. Skipped, with the reason, when the
// server binary does not have these features yet.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import * as C from "@aws-sdk/client-chime";

import { ChimedServer, OTHER_AWS_ACCOUNT, RUN, serveHelp, sigv4UnsupportedReason } from "./harness.js";

const call = (client, op, input) => client.send(new C[`${op}Command`](input));

function checkModeled(err, name, code, status) {
  assert.ok(err instanceof C[name], `want ${name}, got ${err?.name} (HTTP ${err?.$metadata?.httpStatusCode})`);
  assert.equal(err.Code, code);
  assert.equal(err.$metadata.httpStatusCode, status);
  assert.ok(err.$metadata.requestId);
  return true;
}

const sigv4Skip = sigv4UnsupportedReason() || false;
const throttleSkip = serveHelp().includes("rate-limit")
  ? false
  : "server binary lacks `serve --rate-limit`; runs once throttling lands";

describe("sigv4 server", { skip: sigv4Skip }, () => {
  let server;
  before(async () => {
    server = await new ChimedServer({ authMode: "sigv4" }).start();
  });
  after(async () => {
    if (server) await server.cleanup();
  });

  test("read-only credentials: reads work, mutations are ForbiddenException", async () => {
    const rw = server.client();
    const ro = server.client({ readOnly: true });
    const { Account } = await call(rw, "CreateAccount", { Name: `RO ${RUN}` });
    const AccountId = Account.AccountId;
    assert.equal((await call(ro, "GetAccount", { AccountId })).Account.AccountId, AccountId);
    await call(ro, "ListAccounts", {});
    await call(ro, "ListUsers", { AccountId });
    await call(ro, "GetAccountSettings", { AccountId });
    const mutations = [
      ["CreateAccount", { Name: "nope" }],
      ["UpdateAccount", { AccountId, Name: "nope" }],
      ["DeleteAccount", { AccountId }],
      ["UpdateAccountSettings", { AccountId, AccountSettings: { EnableDialOut: true } }],
      ["InviteUsers", { AccountId, UserEmailList: [`ro-${RUN}@example.com`] }],
      ["CreateUser", { AccountId, Email: `ro2-${RUN}@example.com` }],
      ["BatchSuspendUser", { AccountId, UserIdList: [] }],
      ["BatchUnsuspendUser", { AccountId, UserIdList: [] }],
      ["BatchUpdateUser", { AccountId, UpdateUserRequestItems: [] }],
      ["UpdateUser", { AccountId, UserId: randomUUID() }],
      ["LogoutUser", { AccountId, UserId: randomUUID() }],
      ["ResetPersonalPIN", { AccountId, UserId: randomUUID() }],
    ];
    for (const [op, input] of mutations) {
      await assert.rejects(call(ro, op, input), (e) => checkModeled(e, "ForbiddenException", "Forbidden", 403), op);
    }
    assert.equal((await call(rw, "GetAccount", { AccountId })).Account.Name, `RO ${RUN}`);
  });

  test("wrong secret and unknown key are rejected with 403", async () => {
    const { accessKeyId } = server.credentials();
    const bad = server.client({ credentials: { accessKeyId, secretAccessKey: "wrong" } });
    await assert.rejects(call(bad, "ListAccounts", {}), (e) => {
      assert.equal(e.name, "InvalidSignatureException");
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
    const unknown = server.client({ credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" } });
    await assert.rejects(call(unknown, "ListAccounts", {}), (e) => {
      assert.equal(e.name, "UnrecognizedClientException");
      assert.equal(e.$metadata.httpStatusCode, 403);
      return true;
    });
  });

  test("odd path labels and query values authenticate (never 403)", async () => {
    const c = server.client();
    for (const id of ["a b", "ünïcödé", "100%", "a/b", "a+b", "%2F", "é/.."]) {
      await assert.rejects(call(c, "GetAccount", { AccountId: id }), (e) => checkModeled(e, "NotFoundException", "NotFound", 404), id);
    }
    const { Account } = await call(c, "CreateAccount", { Name: `Odd sigv4 ${RUN} + @ &` });
    const e = `first+last ${RUN}@example.com`;
    await call(c, "InviteUsers", { AccountId: Account.AccountId, UserEmailList: [e] });
    assert.equal((await call(c, "ListUsers", { AccountId: Account.AccountId, UserEmail: e })).Users.length, 1);
    assert.equal((await call(c, "ListAccounts", { Name: `Odd sigv4 ${RUN} + @` })).Accounts.length, 1);
  });
});

describe("throttled server", { skip: throttleSkip }, () => {
  let server;
  before(async () => {
    server = await new ChimedServer({ extraArgs: ["--rate-limit", "1", "--rate-burst", "2"] }).start();
  });
  after(async () => {
    if (server) await server.cleanup();
  });

  test("ThrottledClientException beyond the rate limit, per credential", async () => {
    const c = server.client();
    let err;
    for (let i = 0; i < 10 && !err; i++) {
      try {
        await call(c, "ListAccounts", {});
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err, "10 quick calls with --rate-limit 1 --rate-burst 2 were never throttled");
    checkModeled(err, "ThrottledClientException", "Throttled", 429);
    const other = server.client({ awsAccountId: OTHER_AWS_ACCOUNT });
    assert.deepEqual((await call(other, "ListAccounts", {})).Accounts, []);
  });
});
