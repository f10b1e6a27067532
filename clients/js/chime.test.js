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

// ---- user settings, sign-in delegate groups, retention, global settings (docs/behavior.md §4.18–§4.21) -------------

/** The members of an output other than $metadata. */
const body = (out) => Object.fromEntries(Object.entries(out).filter(([k]) => k !== "$metadata"));
const forbidden = (p) => rejectsWith(p, "ForbiddenException", "Forbidden", 403);

describe("settings", () => {
  test("GetUserSettings and UpdateUserSettings", async () => {
    const { AccountId } = await newAccount();
    const u = await invitedUser(AccountId);
    const on = { Telephony: { InboundCalling: true, OutboundCalling: true, SMS: true } };
    const got = await call("GetUserSettings", { AccountId, UserId: u.UserId });
    meta(got, 200);
    assert.deepEqual(got.UserSettings, on); // awscli/examples/chime/get-user-settings.rst
    const out = await call("UpdateUserSettings", {
      AccountId,
      UserId: u.UserId,
      UserSettings: { Telephony: { InboundCalling: true, OutboundCalling: false, SMS: false } },
    });
    meta(out, 204);
    assert.deepEqual(body(out), {});
    assert.deepEqual((await call("GetUserSettings", { AccountId, UserId: u.UserId })).UserSettings.Telephony, {
      InboundCalling: true,
      OutboundCalling: false,
      SMS: false,
    });
    // the JS SDK does not check `required`: the server refuses a missing boolean and changes nothing
    await badRequest(call("UpdateUserSettings", { AccountId, UserId: u.UserId, UserSettings: { Telephony: { SMS: true } } }));
    await badRequest(call("UpdateUserSettings", { AccountId, UserId: u.UserId }));
    assert.equal((await call("GetUserSettings", { AccountId, UserId: u.UserId })).UserSettings.Telephony.SMS, false);
    await notFound(call("GetUserSettings", { AccountId, UserId: missingId() }));
    await notFound(call("UpdateUserSettings", { AccountId, UserId: missingId(), UserSettings: on }));
    await notFound(call("GetUserSettings", { AccountId: missingId(), UserId: u.UserId }));
    const other = server.client({ awsAccountId: OTHER_AWS_ACCOUNT });
    await notFound(call("GetUserSettings", { AccountId, UserId: u.UserId }, other));
  });

  test("AssociateSigninDelegateGroupsWithAccount and DisassociateSigninDelegateGroupsFromAccount", async () => {
    const { AccountId } = await newAccount();
    await forbidden(call("AssociateSigninDelegateGroupsWithAccount", { AccountId, SigninDelegateGroups: [{ GroupName: "g" }] }));
    await setType(AccountId, "EnterpriseLWA");
    await forbidden(call("DisassociateSigninDelegateGroupsFromAccount", { AccountId, GroupNames: ["g"] }));
    await setType(AccountId, "EnterpriseDirectory");
    const out = await call("AssociateSigninDelegateGroupsWithAccount", {
      AccountId,
      SigninDelegateGroups: [{ GroupName: "my_users" }, { GroupName: "Ops" }, { GroupName: "my_users" }],
    });
    meta(out, 200);
    assert.deepEqual(body(out), {});
    assert.deepEqual((await call("GetAccount", { AccountId })).Account.SigninDelegateGroups, [
      { GroupName: "my_users" },
      { GroupName: "Ops" },
    ]);
    const dis = await call("DisassociateSigninDelegateGroupsFromAccount", { AccountId, GroupNames: ["my_users", "unknown"] });
    meta(dis, 200);
    assert.deepEqual(body(dis), {});
    assert.deepEqual((await call("GetAccount", { AccountId })).Account.SigninDelegateGroups, [{ GroupName: "Ops" }]);
    await call("DisassociateSigninDelegateGroupsFromAccount", { AccountId, GroupNames: ["Ops"] });
    assert.equal((await call("GetAccount", { AccountId })).Account.SigninDelegateGroups, undefined);
    // the JS SDK sends what the model forbids; the server refuses it
    await badRequest(call("DisassociateSigninDelegateGroupsFromAccount", { AccountId, GroupNames: [] }));
    await badRequest(call("AssociateSigninDelegateGroupsWithAccount", { AccountId }));
    await badRequest(call("AssociateSigninDelegateGroupsWithAccount", { AccountId, SigninDelegateGroups: [{ GroupName: "" }] }));
    await badRequest(
      call("AssociateSigninDelegateGroupsWithAccount", { AccountId, SigninDelegateGroups: [{ GroupName: "n".repeat(257) }] }),
    );
    await notFound(call("AssociateSigninDelegateGroupsWithAccount", { AccountId: missingId(), SigninDelegateGroups: [{ GroupName: "g" }] }));
  });

  test("GetRetentionSettings and PutRetentionSettings", async () => {
    const { AccountId } = await newAccount();
    const room = { RoomRetentionSettings: { RetentionDays: 5 } };
    await forbidden(call("GetRetentionSettings", { AccountId }));
    await forbidden(call("PutRetentionSettings", { AccountId, RetentionSettings: room }));
    await setType(AccountId, "EnterpriseOIDC");
    let got = await call("GetRetentionSettings", { AccountId });
    meta(got, 200);
    assert.deepEqual(body(got), { RetentionSettings: {} });
    const out = await call("PutRetentionSettings", { AccountId, RetentionSettings: room });
    meta(out, 204);
    assert.equal(out.RetentionSettings, undefined); // 204: the modeled members come back empty
    assert.equal(out.InitiateDeletionTimestamp, undefined);
    got = await call("GetRetentionSettings", { AccountId });
    assert.deepEqual(got.RetentionSettings, room);
    assert.ok(got.InitiateDeletionTimestamp instanceof Date);
    assert.ok(Math.abs(got.InitiateDeletionTimestamp.getTime() - (Date.now() + 30 * 86400_000)) < 300_000);
    await call("PutRetentionSettings", { AccountId, RetentionSettings: { ConversationRetentionSettings: { RetentionDays: 5475 } } });
    meta(await call("PutRetentionSettings", { AccountId, RetentionSettings: {} }), 204);
    assert.deepEqual((await call("GetRetentionSettings", { AccountId })).RetentionSettings, {
      ...room,
      ConversationRetentionSettings: { RetentionDays: 5475 },
    });
    await call("PutRetentionSettings", {
      AccountId,
      RetentionSettings: { RoomRetentionSettings: {}, ConversationRetentionSettings: {} },
    });
    assert.deepEqual(body(await call("GetRetentionSettings", { AccountId })), { RetentionSettings: {} });
    for (const days of [0, 5476, -1]) {
      await badRequest(call("PutRetentionSettings", { AccountId, RetentionSettings: { RoomRetentionSettings: { RetentionDays: days } } }));
    }
    await badRequest(call("PutRetentionSettings", { AccountId }));
    await notFound(call("GetRetentionSettings", { AccountId: missingId() }));
    await notFound(call("PutRetentionSettings", { AccountId: missingId(), RetentionSettings: room }));
  });

  test("GetGlobalSettings and UpdateGlobalSettings", async () => {
    // global settings belong to the AWS account: this test has one of its own
    const c = server.client({ awsAccountId: "210987654321" });
    let got = await call("GetGlobalSettings", {}, c);
    meta(got, 200);
    assert.deepEqual(body(got), { BusinessCalling: {}, VoiceConnector: {} });
    // awscli/examples/chime/update-global-settings.rst and get-global-settings.rst
    const out = await call("UpdateGlobalSettings", { BusinessCalling: { CdrBucket: "s3bucket" }, VoiceConnector: { CdrBucket: "s3bucket" } }, c);
    meta(out, 204);
    assert.deepEqual(body(out), {});
    got = await call("GetGlobalSettings", {}, c);
    assert.deepEqual(body(got), { BusinessCalling: { CdrBucket: "s3bucket" }, VoiceConnector: { CdrBucket: "s3bucket" } });
    await call("UpdateGlobalSettings", { VoiceConnector: { CdrBucket: "" } }, c);
    meta(await call("UpdateGlobalSettings", {}, c), 204);
    assert.deepEqual(body(await call("GetGlobalSettings", {}, c)), { BusinessCalling: { CdrBucket: "s3bucket" }, VoiceConnector: {} });
    for (const bad of ["ab", "Bucket", "a_b", "a..b", "-ab", "b".repeat(64)]) {
      await badRequest(call("UpdateGlobalSettings", { BusinessCalling: { CdrBucket: bad } }, c));
    }
    const other = server.client({ awsAccountId: "210987654320" });
    assert.deepEqual(body(await call("GetGlobalSettings", {}, other)), { BusinessCalling: {}, VoiceConnector: {} });
  });
});

// ---- phone number search and countries (docs/behavior.md §4.24, §4.25) ---------------------------------------------

describe("phone number search", () => {
  test("SearchAvailablePhoneNumbers: the documented example and paginateSearchAvailablePhoneNumbers", async () => {
    // awscli/examples/chime/search-available-phone-numbers.rst: area code 206, default page of ten
    const out = await call("SearchAvailablePhoneNumbers", { AreaCode: "206" });
    meta(out, 200);
    const ten = Array.from({ length: 10 }, (_, i) => `+1206555${String(100 + i).padStart(4, "0")}`);
    assert.deepEqual(out.E164PhoneNumbers, ten);
    assert.ok(out.NextToken);
    const pages = [];
    for await (const page of C.paginateSearchAvailablePhoneNumbers({ client: chime, pageSize: 4 }, { AreaCode: "206" })) {
      pages.push(page.E164PhoneNumbers);
      if (pages.length === 3) break;
    }
    assert.deepEqual(pages.flat(), [...ten, "+12065550110", "+12065550111"]);
    const gb = await call("SearchAvailablePhoneNumbers", { Country: "GB", PhoneNumberType: "Local", MaxResults: 3 });
    assert.deepEqual(gb.E164PhoneNumbers, ["+442079460000", "+442079460001", "+442079460002"]);
    const tf = await call("SearchAvailablePhoneNumbers", { TollFreePrefix: "800", PhoneNumberType: "TollFree", MaxResults: 2 });
    assert.deepEqual(tf.E164PhoneNumbers, ["+18005550100", "+18005550101"]);
  });

  test("SearchAvailablePhoneNumbers refusals", async () => {
    for (const input of [
      {},
      { PhoneNumberType: "Local" },
      { Country: "CA", PhoneNumberType: "Local" },
      { City: "Seattle" },
      { AreaCode: "411" },
      { AreaCode: "206", TollFreePrefix: "800" },
      { Country: "FR", PhoneNumberType: "TollFree" },
      { AreaCode: "206", MaxResults: 0 },
      { AreaCode: "206", MaxResults: 501 },
      { AreaCode: "206", NextToken: "garbage" },
    ]) {
      await badRequest(call("SearchAvailablePhoneNumbers", input));
    }
  });

  test("ListSupportedPhoneNumberCountries", async () => {
    const out = await call("ListSupportedPhoneNumberCountries", { ProductType: "VoiceConnector" });
    meta(out, 200);
    assert.deepEqual(out.PhoneNumberCountries, [{ CountryCode: "US", SupportedPhoneNumberTypes: ["Local", "TollFree"] }]);
    const sma = await call("ListSupportedPhoneNumberCountries", { ProductType: "SipMediaApplicationDialIn" });
    assert.deepEqual(sma.PhoneNumberCountries.map((c) => c.CountryCode), ["AU", "DE", "FR", "GB", "US"]);
    assert.deepEqual(
      (await call("ListSupportedPhoneNumberCountries", { ProductType: "BusinessCalling" })).PhoneNumberCountries,
      [{ CountryCode: "US", SupportedPhoneNumberTypes: ["Local"] }],
    );
    await badRequest(call("ListSupportedPhoneNumberCountries", {}));
    await badRequest(call("ListSupportedPhoneNumberCountries", { ProductType: "Nope" }));
  });
});

// ---- phone number settings: the default calling name (docs/behavior.md §4.31, D28; clock §9.5) ---------------------

describe("phone number settings (own server with --allow-clock-control)", () => {
  const TENANT = "135792468024";
  let clocked;
  let c;
  before(async () => {
    clocked = await new ChimedServer({ extraArgs: ["--allow-clock-control"] }).start();
    c = clocked.client({ awsAccountId: TENANT });
  });
  after(async () => {
    if (clocked) await clocked.cleanup();
  });

  async function advance(seconds) {
    const now = await clocked.control("GET", "/_chimed/clock", undefined, { awsAccountId: TENANT });
    assert.equal(now.status, 200, JSON.stringify(now.body));
    const r = await clocked.control("PUT", "/_chimed/clock", { OffsetSeconds: now.body.OffsetSeconds + seconds }, {
      awsAccountId: TENANT,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  test("GetPhoneNumberSettings and UpdatePhoneNumberSettings once per 168 h", async () => {
    let got = await call("GetPhoneNumberSettings", {}, c);
    meta(got, 200);
    assert.deepEqual(body(got), {});
    // awscli/examples/chime/update-phone-number-settings.rst
    const out = await call("UpdatePhoneNumberSettings", { CallingName: "myName" }, c);
    meta(out, 204);
    assert.deepEqual(body(out), {});
    got = await call("GetPhoneNumberSettings", {}, c);
    assert.equal(got.CallingName, "myName");
    assertRecent(got.CallingNameUpdatedTimestamp);
    await badRequest(call("UpdatePhoneNumberSettings", { CallingName: "Second" }, c));
    assert.equal((await call("GetPhoneNumberSettings", {}, c)).CallingName, "myName");
    await advance(168 * 3600 - 1);
    await badRequest(call("UpdatePhoneNumberSettings", { CallingName: "Second" }, c));
    await advance(1);
    meta(await call("UpdatePhoneNumberSettings", { CallingName: "Second" }, c), 204);
    got = await call("GetPhoneNumberSettings", {}, c);
    assert.equal(got.CallingName, "Second");
    assert.ok(got.CallingNameUpdatedTimestamp.getTime() - Date.now() > 167 * 3600_000, "timestamp is not the server clock's");
  });

  test("UpdatePhoneNumberSettings input checks", async () => {
    const d = clocked.client({ awsAccountId: "246802468024" });
    for (const bad of ["a", "a-b", "x".repeat(16), "ünï"]) {
      await badRequest(call("UpdatePhoneNumberSettings", { CallingName: bad }, d));
    }
    await badRequest(call("UpdatePhoneNumberSettings", {}, d));
    assert.deepEqual(body(await call("GetPhoneNumberSettings", {}, d)), {});
    meta(await call("UpdatePhoneNumberSettings", { CallingName: "" }, d), 204);
    const got = await call("GetPhoneNumberSettings", {}, d);
    assert.equal(got.CallingName, "");
    assert.ok(got.CallingNameUpdatedTimestamp instanceof Date);
  });
});
