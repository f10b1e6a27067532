// Conformance suite: aws-sdk-js v3 (@aws-sdk/client-chime) against a freshly started chimed server.
// Run: CHIMED_BIN=/path/to/chimed node --test chime.test.js   (builds the server when CHIMED_BIN is unset)
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import * as C from "@aws-sdk/client-chime";

import { ChimedServer, MAIN_AWS_ACCOUNT, OTHER_AWS_ACCOUNT, RUN } from "./harness.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PIN_RE = /^[0-9]{10}$/;

let server;
let chime;

before(async () => {
  server = await new ChimedServer().start();
  chime = server.client();
});

after(async () => {
  if (server) await server.cleanup();
});

// ---- helpers -------------------------------------------------------------------------------------------------

/** call("GetAccount", {...}) sends GetAccountCommand with the default client (or `client`). */
function call(op, input, client = chime) {
  const Cmd = C[`${op}Command`];
  assert.ok(Cmd, `no command ${op}`);
  return client.send(new Cmd(input));
}

/** The promise rejects with the modeled exception class `name`, body Code `code` and HTTP `status`. */
async function rejectsWith(promise, name, code, status) {
  const Exc = C[name];
  await assert.rejects(promise, (err) => {
    assert.ok(
      err instanceof Exc,
      `want ${name}, got ${err?.name} (HTTP ${err?.$metadata?.httpStatusCode}, Code ${err?.Code}): ${err?.message}`,
    );
    assert.ok(err instanceof C.ChimeServiceException);
    assert.equal(err.name, name);
    assert.equal(err.Code, code);
    assert.equal(err.$fault, "client");
    assert.equal(err.$metadata.httpStatusCode, status);
    assert.ok(err.$metadata.requestId, "x-amzn-RequestId missing");
    assert.ok(err.message, "no message");
    return true;
  });
}
const notFound = (p) => rejectsWith(p, "NotFoundException", "NotFound", 404);
const badRequest = (p) => rejectsWith(p, "BadRequestException", "BadRequest", 400);

function meta(out, status) {
  assert.equal(out.$metadata.httpStatusCode, status);
  assert.ok(out.$metadata.requestId, "x-amzn-RequestId missing");
}

function assertRecent(ts) {
  assert.ok(ts instanceof Date, `not a Date: ${ts}`);
  assert.ok(Math.abs(Date.now() - ts.getTime()) < 300_000, `not recent: ${ts.toISOString()}`);
}

const email = (tag = "u") => `${tag}-${RUN}-${randomUUID().slice(0, 8)}@example.com`;
const missingId = () => randomUUID();

async function newAccount(name, client = chime) {
  const out = await call("CreateAccount", { Name: name ?? `js-${RUN}-${randomUUID().slice(0, 6)}` }, client);
  meta(out, 201);
  return out.Account;
}

async function invite(AccountId, emails, extra = {}) {
  const out = await call("InviteUsers", { AccountId, UserEmailList: emails, ...extra });
  meta(out, 201);
  return out.Invites;
}

async function userByEmail(AccountId, UserEmail) {
  const { Users } = await call("ListUsers", { AccountId, UserEmail });
  assert.equal(Users.length, 1, JSON.stringify(Users));
  return Users[0];
}

async function invitedUser(AccountId, address = email()) {
  await invite(AccountId, [address]);
  return userByEmail(AccountId, address);
}

async function setType(accountId, AccountType) {
  const { status, body } = await server.control("PUT", `/_chimed/accounts/${accountId}/type`, { AccountType });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.Account.AccountType, AccountType);
}

async function register(accountId, userId, DisplayName = "Registered Person") {
  const { status, body } = await server.control("POST", `/_chimed/accounts/${accountId}/users/${userId}/register`, {
    DisplayName,
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body.User;
}

// ---- accounts ------------------------------------------------------------------------------------------------

describe("accounts", () => {
  test("CreateAccount and GetAccount", async () => {
    const name = `Create ${RUN}`;
    const out = await call("CreateAccount", { Name: name });
    meta(out, 201);
    const a = out.Account;
    assert.match(a.AccountId, UUID_RE);
    assert.equal(a.AwsAccountId, MAIN_AWS_ACCOUNT);
    assert.equal(a.Name, name);
    assert.equal(a.AccountType, "Team");
    assert.equal(a.DefaultLicense, "Pro");
    assert.deepEqual(a.SupportedLicenses, ["Basic", "Pro"]);
    assert.equal(a.AccountStatus, "Active");
    assertRecent(a.CreatedTimestamp);
    const got = await call("GetAccount", { AccountId: a.AccountId });
    meta(got, 200);
    assert.deepEqual(got.Account, a);
  });

  test("CreateAccount validates names", async () => {
    assert.equal((await newAccount("é".repeat(100))).Name, "é".repeat(100));
    await badRequest(call("CreateAccount", { Name: "x".repeat(101) }));
    await badRequest(call("CreateAccount", { Name: "   " }));
    await badRequest(call("CreateAccount", { Name: "" }));
    await badRequest(call("CreateAccount", {}));
  });

  test("GetAccount on unknown ids", async () => {
    await notFound(call("GetAccount", { AccountId: missingId() }));
    await notFound(call("GetAccount", { AccountId: "not-a-uuid" }));
  });

  test("ListAccounts filters and paginateListAccounts", async () => {
    const prefix = `Paged ${RUN}`;
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await newAccount(`${prefix} ${i}`)).AccountId);
    await newAccount(`other ${prefix}`);
    const pages = [];
    for await (const page of C.paginateListAccounts({ client: chime, pageSize: 2 }, { Name: prefix })) pages.push(page);
    assert.deepEqual(pages.map((p) => p.Accounts.length), [2, 2, 1]);
    assert.deepEqual(pages.flatMap((p) => p.Accounts.map((a) => a.AccountId)), ids);
    assert.equal(pages.at(-1).NextToken, undefined);
    assert.notEqual(pages[0].NextToken, pages[1].NextToken);
    assert.deepEqual((await call("ListAccounts", { Name: prefix.toUpperCase() })).Accounts, []);
    await badRequest(call("ListAccounts", { MaxResults: 201 }));
    await badRequest(call("ListAccounts", { MaxResults: 0 }));
    await badRequest(call("ListAccounts", { NextToken: "forged" }));
    await badRequest(call("ListAccounts", { NextToken: pages[0].NextToken })); // bound to the name filter
    await badRequest(call("ListAccounts", { UserEmail: "not-an-email" }));
  });

  test("ListAccounts by user email", async () => {
    const a = await newAccount();
    const e = email("Mixed.Case");
    await invite(a.AccountId, [e]);
    for (const q of [e, e.toLowerCase(), e.toUpperCase()]) {
      const { Accounts } = await call("ListAccounts", { UserEmail: q });
      assert.deepEqual(Accounts.map((x) => x.AccountId), [a.AccountId], q);
    }
    assert.deepEqual((await call("ListAccounts", { UserEmail: email("nobody") })).Accounts, []);
  });

  test("UpdateAccount", async () => {
    const { AccountId } = await newAccount();
    let out = await call("UpdateAccount", { AccountId, Name: `Renamed ${RUN}`, DefaultLicense: "Basic" });
    meta(out, 200);
    assert.equal(out.Account.Name, `Renamed ${RUN}`);
    assert.equal(out.Account.DefaultLicense, "Basic");
    out = await call("UpdateAccount", { AccountId });
    assert.equal(out.Account.Name, `Renamed ${RUN}`);
    assert.equal((await invitedUser(AccountId)).LicenseType, "Basic");
    await badRequest(call("UpdateAccount", { AccountId, DefaultLicense: "Plus" }));
    await badRequest(call("UpdateAccount", { AccountId, DefaultLicense: "Gold" }));
    await badRequest(call("UpdateAccount", { AccountId, Name: " " }));
    await notFound(call("UpdateAccount", { AccountId: missingId(), Name: "x" }));
  });

  test("DeleteAccount", async () => {
    const a = await newAccount();
    meta(await call("DeleteAccount", { AccountId: a.AccountId }), 204);
    await notFound(call("GetAccount", { AccountId: a.AccountId }));
    await notFound(call("DeleteAccount", { AccountId: a.AccountId }));
    await notFound(call("ListUsers", { AccountId: a.AccountId }));
    assert.deepEqual((await call("ListAccounts", { Name: a.Name })).Accounts, []);
  });

  test("DeleteAccount with users is UnprocessableEntityException", async () => {
    const { AccountId } = await newAccount();
    const u = await invitedUser(AccountId);
    await rejectsWith(call("DeleteAccount", { AccountId }), "UnprocessableEntityException", "Unprocessable", 422);
    await call("BatchSuspendUser", { AccountId, UserIdList: [u.UserId] });
    meta(await call("DeleteAccount", { AccountId }), 204);
  });

  test("GetAccountSettings and UpdateAccountSettings", async () => {
    const { AccountId } = await newAccount();
    const got = await call("GetAccountSettings", { AccountId });
    meta(got, 200);
    assert.deepEqual(got.AccountSettings, { DisableRemoteControl: false, EnableDialOut: false });
    meta(await call("UpdateAccountSettings", { AccountId, AccountSettings: { DisableRemoteControl: true } }), 204);
    assert.deepEqual((await call("GetAccountSettings", { AccountId })).AccountSettings, {
      DisableRemoteControl: true,
      EnableDialOut: false,
    });
    await notFound(call("GetAccountSettings", { AccountId: missingId() }));
    await notFound(call("UpdateAccountSettings", { AccountId: missingId(), AccountSettings: { EnableDialOut: true } }));
    await badRequest(call("UpdateAccountSettings", { AccountId }));
  });

  test("accounts of another AWS account are invisible", async () => {
    const a = await newAccount();
    const other = server.client({ awsAccountId: OTHER_AWS_ACCOUNT });
    await notFound(call("GetAccount", { AccountId: a.AccountId }, other));
    await notFound(call("DeleteAccount", { AccountId: a.AccountId }, other));
    assert.deepEqual((await call("ListAccounts", { Name: a.Name }, other)).Accounts, []);
  });

  test("a client configured for another region works", async () => {
    const c = server.client({ region: "ap-southeast-2" });
    const a = await newAccount(undefined, c);
    assert.equal((await call("GetAccount", { AccountId: a.AccountId }, c)).Account.Name, a.Name);
  });
});

// ---- users ---------------------------------------------------------------------------------------------------

describe("users", () => {
  test("InviteUsers and ListUsers", async () => {
    const { AccountId } = await newAccount();
    const e1 = email("plus+tag");
    const e2 = `first last-${RUN}@example.com`;
    const invites = await invite(AccountId, [e1, e2]);
    assert.deepEqual(invites.map((i) => i.EmailAddress), [e1, e2]);
    for (const i of invites) {
      assert.match(i.InviteId, UUID_RE);
      assert.equal(i.Status, "Pending");
      assert.equal(i.EmailStatus, "NotSent");
    }
    const { Users } = await call("ListUsers", { AccountId });
    assert.deepEqual(Users.map((u) => u.PrimaryEmail), [e1, e2]);
    for (const u of Users) {
      assert.match(u.UserId, UUID_RE);
      assert.equal(u.UserRegistrationStatus, "Unregistered");
      assert.equal(u.UserInvitationStatus, "Pending");
      assert.equal(u.LicenseType, "Pro");
      assert.equal(u.UserType, "PrivateUser");
      assert.equal(u.AlexaForBusinessMetadata.IsAlexaForBusinessEnabled, false);
      assertRecent(u.InvitedOn);
      assert.equal(u.PersonalPIN, undefined);
    }
    for (const e of [e1, e2, e1.toUpperCase()]) {
      const got = await call("ListUsers", { AccountId, UserEmail: e });
      assert.equal(got.Users.length, 1, e);
    }
    assert.deepEqual((await call("ListUsers", { AccountId, UserEmail: e1.replace("+", " ") })).Users, []);
    assert.deepEqual((await call("ListUsers", { AccountId, UserType: "SharedDevice" })).Users, []);
    await badRequest(call("ListUsers", { AccountId, UserType: "Robot" }));
    await badRequest(call("ListUsers", { AccountId, UserEmail: "nope" }));
    await badRequest(call("InviteUsers", { AccountId, UserEmailList: ["not-an-email"] }));
    await badRequest(call("InviteUsers", { AccountId, UserEmailList: Array.from({ length: 51 }, () => email()) }));
    await notFound(call("InviteUsers", { AccountId: missingId(), UserEmailList: [email()] }));
  });

  test("paginateListUsers over 250 invited users", async () => {
    const { AccountId } = await newAccount();
    const emails = Array.from({ length: 250 }, (_, i) => email(`p${String(i).padStart(3, "0")}`));
    for (let i = 0; i < 250; i += 50) await invite(AccountId, emails.slice(i, i + 50));
    const pages = [];
    for await (const page of C.paginateListUsers({ client: chime, pageSize: 100 }, { AccountId })) pages.push(page);
    assert.deepEqual(pages.map((p) => p.Users.length), [100, 100, 50]);
    assert.deepEqual(pages.flatMap((p) => p.Users.map((u) => u.PrimaryEmail)), emails);
    assert.equal(new Set(pages.flatMap((p) => p.Users.map((u) => u.UserId))).size, 250);
    assert.equal(pages.at(-1).NextToken, undefined);
  });

  test("GetUser, UpdateUser, registration via the control endpoint", async () => {
    const { AccountId } = await newAccount();
    const u = await invitedUser(AccountId);
    assert.deepEqual((await call("GetUser", { AccountId, UserId: u.UserId })).User, u);
    await register(AccountId, u.UserId, "Mateo Jackson");
    const got = await call("GetUser", { AccountId, UserId: u.UserId });
    meta(got, 200);
    assert.equal(got.User.UserRegistrationStatus, "Registered");
    assert.equal(got.User.UserInvitationStatus, "Accepted");
    assert.equal(got.User.DisplayName, "Mateo Jackson");
    assert.match(got.User.PersonalPIN, PIN_RE);
    assertRecent(got.User.RegisteredOn);
    const out = await call("UpdateUser", {
      AccountId,
      UserId: u.UserId,
      LicenseType: "Basic",
      UserType: "SharedDevice",
      AlexaForBusinessMetadata: { IsAlexaForBusinessEnabled: true, AlexaForBusinessRoomArn: "arn:aws:a4b:room/1" },
    });
    meta(out, 200);
    assert.equal(out.User.LicenseType, "Basic");
    assert.equal(out.User.UserType, "SharedDevice");
    assert.deepEqual(out.User.AlexaForBusinessMetadata, {
      IsAlexaForBusinessEnabled: true,
      AlexaForBusinessRoomArn: "arn:aws:a4b:room/1",
    });
    assert.deepEqual((await call("GetUser", { AccountId, UserId: u.UserId })).User, out.User);
    await badRequest(call("UpdateUser", { AccountId, UserId: u.UserId, LicenseType: "Plus" }));
    await notFound(call("UpdateUser", { AccountId, UserId: missingId(), LicenseType: "Pro" }));
    await notFound(call("GetUser", { AccountId, UserId: missingId() }));
    await notFound(call("GetUser", { AccountId: missingId(), UserId: u.UserId }));
  });

  test("CreateUser and ConflictException", async () => {
    const { AccountId } = await newAccount();
    await badRequest(call("CreateUser", { AccountId, Email: email() })); // Team accounts cannot
    await setType(AccountId, "EnterpriseDirectory");
    const e = email("Created");
    const out = await call("CreateUser", { AccountId, Username: "Board Room", Email: e, UserType: "SharedDevice" });
    meta(out, 201);
    assert.match(out.User.UserId, UUID_RE);
    assert.equal(out.User.PrimaryEmail, e);
    assert.equal(out.User.DisplayName, "Board Room");
    assert.equal(out.User.UserType, "SharedDevice");
    assert.equal(out.User.UserRegistrationStatus, "Registered");
    assert.match(out.User.PersonalPIN, PIN_RE);
    assertRecent(out.User.RegisteredOn);
    await rejectsWith(call("CreateUser", { AccountId, Email: e.toUpperCase() }), "ConflictException", "Conflict", 409);
    await badRequest(call("CreateUser", { AccountId }));
    await badRequest(call("CreateUser", { AccountId, Email: "nope" }));
    await notFound(call("CreateUser", { AccountId: missingId(), Email: email() }));
  });

  test("BatchUpdateUser", async () => {
    const { AccountId } = await newAccount();
    const a = await invitedUser(AccountId);
    const missing = missingId();
    const out = await call("BatchUpdateUser", {
      AccountId,
      UpdateUserRequestItems: [
        { UserId: a.UserId, LicenseType: "Basic" },
        { UserId: missing, LicenseType: "Basic" },
      ],
    });
    meta(out, 200);
    assert.deepEqual(out.UserErrors.map((e) => [e.UserId, e.ErrorCode]), [[missing, "NotFound"]]);
    assert.equal((await call("GetUser", { AccountId, UserId: a.UserId })).User.LicenseType, "Basic");
    await badRequest(
      call("BatchUpdateUser", { AccountId, UpdateUserRequestItems: Array.from({ length: 21 }, () => ({ UserId: missingId() })) }),
    );
    await notFound(call("BatchUpdateUser", { AccountId: missingId(), UpdateUserRequestItems: [{ UserId: a.UserId }] }));
  });

  test("BatchSuspendUser on a Team account removes users", async () => {
    const { AccountId } = await newAccount();
    const e = email("gone");
    const u = await invitedUser(AccountId, e);
    const missing = missingId();
    const out = await call("BatchSuspendUser", { AccountId, UserIdList: [u.UserId, missing] });
    meta(out, 200);
    assert.deepEqual(out.UserErrors.map((x) => [x.UserId, x.ErrorCode]), [[missing, "NotFound"]]);
    await notFound(call("GetUser", { AccountId, UserId: u.UserId }));
    assert.deepEqual((await call("ListUsers", { AccountId })).Users, []);
    assert.equal((await invite(AccountId, [e]))[0].Status, "Pending");
    await badRequest(call("BatchUnsuspendUser", { AccountId, UserIdList: [u.UserId] }));
    await badRequest(call("BatchSuspendUser", { AccountId, UserIdList: Array.from({ length: 51 }, missingId) }));
  });

  test("BatchSuspendUser and BatchUnsuspendUser on an EnterpriseLWA account", async () => {
    const { AccountId } = await newAccount();
    const users = [await invitedUser(AccountId), await invitedUser(AccountId)];
    await setType(AccountId, "EnterpriseLWA");
    for (const u of users) await register(AccountId, u.UserId);
    const ids = users.map((u) => u.UserId);
    meta(await call("BatchSuspendUser", { AccountId, UserIdList: ids }), 200);
    for (const id of ids) {
      assert.equal((await call("GetUser", { AccountId, UserId: id })).User.UserRegistrationStatus, "Suspended");
    }
    const missing = missingId();
    const out = await call("BatchUnsuspendUser", { AccountId, UserIdList: [ids[0], missing] });
    meta(out, 200);
    assert.deepEqual(out.UserErrors.map((x) => [x.UserId, x.ErrorCode]), [[missing, "NotFound"]]);
    const states = Object.fromEntries(
      (await call("ListUsers", { AccountId })).Users.map((u) => [u.UserId, u.UserRegistrationStatus]),
    );
    assert.deepEqual(states, { [ids[0]]: "Registered", [ids[1]]: "Suspended" });
    await rejectsWith(call("DeleteAccount", { AccountId }), "UnprocessableEntityException", "Unprocessable", 422);
    await badRequest(call("InviteUsers", { AccountId, UserEmailList: [email()] }));
  });

  test("LogoutUser and ResetPersonalPIN", async () => {
    const { AccountId } = await newAccount();
    const u = await invitedUser(AccountId);
    const pin = (await register(AccountId, u.UserId)).PersonalPIN;
    meta(await call("LogoutUser", { AccountId, UserId: u.UserId }), 204);
    await notFound(call("LogoutUser", { AccountId, UserId: missingId() }));
    const out = await call("ResetPersonalPIN", { AccountId, UserId: u.UserId });
    meta(out, 200);
    assert.match(out.User.PersonalPIN, PIN_RE);
    assert.notEqual(out.User.PersonalPIN, pin);
    assert.equal((await call("GetUser", { AccountId, UserId: u.UserId })).User.PersonalPIN, out.User.PersonalPIN);
    await notFound(call("ResetPersonalPIN", { AccountId, UserId: missingId() }));
  });
});

// ---- unusual characters --------------------------------------------------------------------------------------

const ODD_IDS = ["a b", "ünïcödé-名前", "100%", "100%25", "a/b", "a+b", "a?b=c", "a#b", "a&b", "%2F", "a:b@c", "é/.."];

describe("unusual characters", () => {
  test("odd account and user ids are NotFound", async () => {
    const { AccountId } = await newAccount();
    for (const id of ODD_IDS) {
      await notFound(call("GetAccount", { AccountId: id }));
      await notFound(call("UpdateAccount", { AccountId: id, Name: "x" }));
      await notFound(call("ListUsers", { AccountId: id }));
      await notFound(call("GetUser", { AccountId, UserId: id }));
      await notFound(call("ResetPersonalPIN", { AccountId, UserId: id }));
    }
  });

  test("blank ids are BadRequest", async () => {
    const { AccountId } = await newAccount();
    await badRequest(call("GetAccount", { AccountId: " " }));
    await badRequest(call("GetUser", { AccountId, UserId: "  " }));
  });

  test("filters with + @ space & = %", async () => {
    const name = `R&D + ops @ HQ 100% = #1 ${RUN}`;
    const a = await newAccount(name);
    for (const prefix of [name, "R&D + ops @", "R&D + ops @ HQ 100%"]) {
      const { Accounts } = await call("ListAccounts", { Name: prefix });
      assert.ok(Accounts.some((x) => x.AccountId === a.AccountId), prefix);
    }
    const e = `ü%41&x=y-${RUN}@exämple.com`;
    await invite(a.AccountId, [e]);
    assert.equal((await userByEmail(a.AccountId, e)).PrimaryEmail, e);
  });
});
