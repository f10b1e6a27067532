// Conformance suite, phone numbers: aws-sdk-js v3 (@aws-sdk/client-chime) against chimed (docs/behavior.md §2,
// §3.5–§3.7, §4.22, §4.26–§4.30, D19–D29, D46): CreatePhoneNumberOrder … DisassociatePhoneNumberFromUser.
// Run: CHIMED_BIN=/path/to/chimed node --test numbers.test.js   (builds the server when CHIMED_BIN is unset)
//
// Two servers of this file's own: one with default delays (orders complete at once), and one with
// --allow-clock-control --order-delay 1h --calling-name-delay 1h for the lifecycle, where time moves through
// PUT /_chimed/clock. Every test acts in an AWS account of its own; numbers come from search results, since a
// number once acquired on a server is never offered again.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";

import * as C from "@aws-sdk/client-chime";

import { ChimedServer, RUN } from "./harness.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CAPABILITIES = {
  InboundCall: true,
  OutboundCall: true,
  InboundSMS: true,
  OutboundSMS: true,
  InboundMMS: true,
  OutboundMMS: true,
};

let server;
before(async () => {
  server = await new ChimedServer().start();
});
after(async () => {
  if (server) await server.cleanup();
});

// ---- helpers -------------------------------------------------------------------------------------------------

let accountSeq = 0;
/** A 12-digit AWS account id used by one test only. */
const freshAwsAccount = () => `8${String(parseInt(RUN.slice(0, 2), 16) % 100).padStart(2, "0")}${String(accountSeq++).padStart(9, "0")}`;

function call(op, input, client) {
  const Cmd = C[`${op}Command`];
  assert.ok(Cmd, `no command ${op}`);
  return client.send(new Cmd(input));
}

async function rejectsWith(promise, name, code, status) {
  await assert.rejects(promise, (err) => {
    assert.ok(
      err instanceof C[name],
      `want ${name}, got ${err?.name} (HTTP ${err?.$metadata?.httpStatusCode}, Code ${err?.Code}): ${err?.message}`,
    );
    assert.ok(err instanceof C.ChimeServiceException);
    assert.equal(err.Code, code);
    assert.equal(err.$fault, "client");
    assert.equal(err.$metadata.httpStatusCode, status);
    assert.ok(err.$metadata.requestId, "x-amzn-RequestId missing");
    return true;
  });
}
const notFound = (p) => rejectsWith(p, "NotFoundException", "NotFound", 404);
const badRequest = (p) => rejectsWith(p, "BadRequestException", "BadRequest", 400);
const associationsExist = (p) => rejectsWith(p, "BadRequestException", "PhoneNumberAssociationsExist", 400);

function meta(out, status) {
  assert.equal(out.$metadata.httpStatusCode, status);
  assert.ok(out.$metadata.requestId, "x-amzn-RequestId missing");
}
const body = (out) => Object.fromEntries(Object.entries(out).filter(([k]) => k !== "$metadata"));
const itemErrors = (out) => out.PhoneNumberErrors.map((e) => [e.PhoneNumberId, e.ErrorCode]);

/** A tenant: a client acting in a fresh AWS account on srv, with fixtures. */
function tenant(srv) {
  const awsAccount = freshAwsAccount();
  const c = srv.client({ awsAccountId: awsAccount });
  const t = {
    c,
    awsAccount,
    call: (op, input) => call(op, input, c),
    async search(n, filters = { AreaCode: "206" }) {
      const out = await t.call("SearchAvailablePhoneNumbers", { ...filters, MaxResults: n });
      assert.equal(out.E164PhoneNumbers.length, n);
      return out.E164PhoneNumbers;
    },
    async order(numbers, ProductType = "BusinessCalling") {
      const out = await t.call("CreatePhoneNumberOrder", { ProductType, E164PhoneNumbers: numbers });
      meta(out, 201);
      return out.PhoneNumberOrder;
    },
    async number(PhoneNumberId) {
      const out = await t.call("GetPhoneNumber", { PhoneNumberId });
      meta(out, 200);
      return out.PhoneNumber;
    },
    async accountWithUser() {
      const { Account } = await t.call("CreateAccount", { Name: `js-pn-${RUN}-${randomUUID().slice(0, 6)}` });
      const address = `pn-${RUN}-${randomUUID().slice(0, 8)}@example.com`;
      await t.call("InviteUsers", { AccountId: Account.AccountId, UserEmailList: [address] });
      const { Users } = await t.call("ListUsers", { AccountId: Account.AccountId, UserEmail: address });
      return { AccountId: Account.AccountId, UserId: Users[0].UserId };
    },
  };
  return t;
}

// ---- the 12 operations on a server with default delays -------------------------------------------------------

describe("phone number orders and inventory", () => {
  test("CreatePhoneNumberOrder, GetPhoneNumberOrder, ListPhoneNumberOrders", async () => {
    const t = tenant(server);
    const two = await t.search(2, { AreaCode: "212" });
    const order = await t.order([...two, "+12125550099"]); // below the pool's 0100 start: always Failed (D23)
    assert.match(order.PhoneNumberOrderId, UUID_RE);
    assert.equal(order.Status, "Processing");
    assert.deepEqual(
      order.OrderedPhoneNumbers,
      [...two, "+12125550099"].map((n) => ({ E164PhoneNumber: n, Status: "Processing" })),
    );
    assert.ok(order.CreatedTimestamp instanceof Date && order.UpdatedTimestamp instanceof Date);
    const got = await t.call("GetPhoneNumberOrder", { PhoneNumberOrderId: order.PhoneNumberOrderId });
    meta(got, 200);
    assert.equal(got.PhoneNumberOrder.Status, "Partial");
    assert.deepEqual(
      got.PhoneNumberOrder.OrderedPhoneNumbers.map((l) => l.Status),
      ["Acquired", "Acquired", "Failed"],
    );
    const second = await t.order(await t.search(1, { AreaCode: "212" }), "VoiceConnector");
    const list = await t.call("ListPhoneNumberOrders", {});
    meta(list, 200);
    assert.deepEqual(
      list.PhoneNumberOrders.map((o) => o.PhoneNumberOrderId),
      [order.PhoneNumberOrderId, second.PhoneNumberOrderId],
    );
    assert.equal(list.NextToken, undefined);
    const pages = [];
    for await (const page of C.paginateListPhoneNumberOrders({ client: t.c, pageSize: 1 }, {})) {
      pages.push(page.PhoneNumberOrders.map((o) => o.PhoneNumberOrderId));
    }
    assert.deepEqual(pages.flat(), [order.PhoneNumberOrderId, second.PhoneNumberOrderId]);

    await badRequest(t.call("CreatePhoneNumberOrder", { ProductType: "BusinessCalling", E164PhoneNumbers: [] }));
    await badRequest(
      t.call("CreatePhoneNumberOrder", {
        ProductType: "BusinessCalling",
        E164PhoneNumbers: await t.search(1, { TollFreePrefix: "800" }),
      }),
    );
    await notFound(t.call("GetPhoneNumberOrder", { PhoneNumberOrderId: randomUUID() }));
    await badRequest(t.call("GetPhoneNumberOrder", { PhoneNumberOrderId: "abc12345-de67-89f0-123g-h45i678j9012" }));
    await badRequest(t.call("ListPhoneNumberOrders", { MaxResults: 100 }));
    await notFound(
      call("GetPhoneNumberOrder", { PhoneNumberOrderId: order.PhoneNumberOrderId }, server.client({ awsAccountId: freshAwsAccount() })),
    );
  });

  test("GetPhoneNumber and ListPhoneNumbers: shape, ID forms, filters, paginateListPhoneNumbers", async () => {
    const t = tenant(server);
    const [vc] = await t.search(1, { AreaCode: "312" });
    await t.order([vc], "VoiceConnector");
    const bc = await t.search(2, { AreaCode: "312" });
    await t.order(bc);
    const pn = await t.number(vc);
    assert.ok(pn.CreatedTimestamp instanceof Date && pn.UpdatedTimestamp instanceof Date);
    const { CreatedTimestamp, UpdatedTimestamp, ...rest } = pn;
    assert.deepEqual(rest, {
      PhoneNumberId: "%2B" + vc.slice(1),
      E164PhoneNumber: vc,
      Country: "US",
      Type: "Local",
      ProductType: "VoiceConnector",
      Status: "Unassigned",
      Capabilities: CAPABILITIES,
      Associations: [],
      CallingNameStatus: "Unassigned",
    });
    // the returned "%2B…" ID passed back (sent as %252B…), "+…", "%2b…" and bare digits all name the number
    for (const form of [pn.PhoneNumberId, vc, "%2b" + vc.slice(1), vc.slice(1)]) {
      assert.equal((await t.number(form)).E164PhoneNumber, vc, form);
    }
    await notFound(t.call("GetPhoneNumber", { PhoneNumberId: "+19995550100" }));
    await notFound(t.call("GetPhoneNumber", { PhoneNumberId: "abc" }));

    const list = await t.call("ListPhoneNumbers", {});
    meta(list, 200);
    const all = [vc, ...bc].sort();
    assert.deepEqual(list.PhoneNumbers.map((p) => p.E164PhoneNumber), all);
    assert.deepEqual(
      (await t.call("ListPhoneNumbers", { ProductType: "VoiceConnector" })).PhoneNumbers.map((p) => p.PhoneNumberId),
      [pn.PhoneNumberId],
    );
    const seen = [];
    for await (const page of C.paginateListPhoneNumbers({ client: t.c, pageSize: 1 }, { Status: "Unassigned" })) {
      seen.push(...page.PhoneNumbers.map((p) => p.E164PhoneNumber));
    }
    assert.deepEqual(seen, all);
    await badRequest(t.call("ListPhoneNumbers", { FilterName: "AccountId" }));
    await badRequest(t.call("ListPhoneNumbers", { Status: "Bogus" }));
  });

  test("UpdatePhoneNumber and BatchUpdatePhoneNumber", async () => {
    const t = tenant(server);
    const [a, b, c] = await t.search(3, { AreaCode: "404" });
    await t.order([a, b, c], "VoiceConnector");
    const out = await t.call("UpdatePhoneNumber", { PhoneNumberId: a, ProductType: "BusinessCalling" });
    meta(out, 200);
    assert.equal(out.PhoneNumber.ProductType, "BusinessCalling");
    const named = await t.call("UpdatePhoneNumber", { PhoneNumberId: a, CallingName: "phonenumber1" });
    assert.equal(named.PhoneNumber.CallingName, "phonenumber1");
    assert.equal(named.PhoneNumber.CallingNameStatus, "UpdateInProgress"); // the state before the transition (D19)
    assert.equal((await t.number(a)).CallingNameStatus, "UpdateSucceeded"); // no --calling-name-delay
    await badRequest(t.call("UpdatePhoneNumber", { PhoneNumberId: a }));
    await badRequest(t.call("UpdatePhoneNumber", { PhoneNumberId: a, ProductType: "VoiceConnector", CallingName: "ab" }));
    await badRequest(t.call("UpdatePhoneNumber", { PhoneNumberId: a, CallingName: "a-b" }));
    await notFound(t.call("UpdatePhoneNumber", { PhoneNumberId: "+19995550100", CallingName: "ab" }));

    const ids = [(await t.number(b)).PhoneNumberId, (await t.number(c)).PhoneNumberId];
    const ok = await t.call("BatchUpdatePhoneNumber", {
      UpdatePhoneNumberRequestItems: ids.map((PhoneNumberId) => ({ PhoneNumberId, ProductType: "BusinessCalling" })),
    });
    meta(ok, 200);
    assert.deepEqual(body(ok), { PhoneNumberErrors: [] });
    const u = await t.accountWithUser();
    await t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: a });
    await associationsExist(t.call("UpdatePhoneNumber", { PhoneNumberId: a, ProductType: "VoiceConnector" }));
    const mixed = await t.call("BatchUpdatePhoneNumber", {
      UpdatePhoneNumberRequestItems: [
        { PhoneNumberId: "%2B19995550100", CallingName: "abc" },
        { PhoneNumberId: "%2B" + a.slice(1), ProductType: "VoiceConnector" },
        { PhoneNumberId: ids[0], ProductType: "VoiceConnector", CallingName: "ab" },
        { PhoneNumberId: ids[1], CallingName: "Gamma" },
        { PhoneNumberId: c, CallingName: "Delta" }, // the same number again: ignored
      ],
    });
    assert.deepEqual(itemErrors(mixed), [
      ["%2B19995550100", "NotFound"],
      ["%2B" + a.slice(1), "PhoneNumberAssociationsExist"],
      [ids[0], "BadRequest"],
    ]);
    assert.equal((await t.number(c)).CallingName, "Gamma");
    await badRequest(t.call("BatchUpdatePhoneNumber", { UpdatePhoneNumberRequestItems: [] }));
  });

  test("DeletePhoneNumber, BatchDeletePhoneNumber, RestorePhoneNumber", async () => {
    const t = tenant(server);
    const [a, b, c] = await t.search(3, { AreaCode: "702" });
    await t.order([a, b, c]);
    const del = await t.call("DeletePhoneNumber", { PhoneNumberId: a });
    meta(del, 204);
    assert.deepEqual(body(del), {});
    const queued = await t.number(a);
    assert.equal(queued.Status, "DeleteInProgress");
    assert.ok(queued.DeletionTimestamp instanceof Date);
    meta(await t.call("DeletePhoneNumber", { PhoneNumberId: a }), 204); // already queued: no-op
    const restored = await t.call("RestorePhoneNumber", { PhoneNumberId: queued.PhoneNumberId });
    meta(restored, 200);
    assert.equal(restored.PhoneNumber.Status, "Unassigned");
    assert.deepEqual(restored.PhoneNumber.Associations, []);
    assert.equal(restored.PhoneNumber.DeletionTimestamp, undefined);
    await badRequest(t.call("RestorePhoneNumber", { PhoneNumberId: a }));
    await notFound(t.call("RestorePhoneNumber", { PhoneNumberId: "+19995550100" }));
    await notFound(t.call("DeletePhoneNumber", { PhoneNumberId: "+19995550100" }));

    const u = await t.accountWithUser();
    await t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: c });
    await associationsExist(t.call("DeletePhoneNumber", { PhoneNumberId: c }));
    const batch = await t.call("BatchDeletePhoneNumber", { PhoneNumberIds: ["%2B" + a.slice(1), "%2B" + b.slice(1)] });
    meta(batch, 200);
    assert.deepEqual(body(batch), { PhoneNumberErrors: [] });
    const mixed = await t.call("BatchDeletePhoneNumber", { PhoneNumberIds: [c, "%2B19995550100", a] });
    assert.deepEqual(itemErrors(mixed), [
      [c, "PhoneNumberAssociationsExist"],
      ["%2B19995550100", "NotFound"],
    ]);
    await badRequest(t.call("BatchDeletePhoneNumber", { PhoneNumberIds: Array(51).fill(c) }));
  });

  test("AssociatePhoneNumberWithUser, DisassociatePhoneNumberFromUser, PrimaryProvisionedNumber", async () => {
    const t = tenant(server);
    const [first, second] = await t.search(2, { AreaCode: "801" });
    await t.order([first, second]);
    const u = await t.accountWithUser();
    const out = await t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: first });
    meta(out, 200);
    assert.deepEqual(body(out), {});
    assert.equal((await t.call("GetUser", u)).User.PrimaryProvisionedNumber, first);
    const pn = await t.number(first);
    assert.equal(pn.Status, "Assigned");
    assert.deepEqual(
      pn.Associations.map((a) => [a.Name, a.Value]).sort(),
      [
        ["AccountId", u.AccountId],
        ["UserId", u.UserId],
      ],
    );
    assert.ok(pn.Associations.every((a) => a.AssociatedTimestamp instanceof Date));
    meta(await t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: first }), 200); // no-op
    await badRequest(t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: second }));
    await badRequest(t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: "12-34" }));
    await notFound(t.call("AssociatePhoneNumberWithUser", { ...u, UserId: randomUUID(), E164PhoneNumber: second }));
    await notFound(t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: "+19995550100" }));
    const v = await t.accountWithUser();
    await associationsExist(t.call("AssociatePhoneNumberWithUser", { ...v, E164PhoneNumber: first }));

    const dis = await t.call("DisassociatePhoneNumberFromUser", u);
    meta(dis, 200);
    assert.deepEqual(body(dis), {});
    assert.equal((await t.call("GetUser", u)).User.PrimaryProvisionedNumber, undefined);
    assert.equal((await t.number(first)).Status, "Unassigned");
    meta(await t.call("DisassociatePhoneNumberFromUser", u), 200); // nothing attached: no-op
    await notFound(t.call("DisassociatePhoneNumberFromUser", { ...u, UserId: randomUUID() }));
  });
});

// ---- the lifecycle, on a server whose clock the test moves (D19, D23, D25, D27) ------------------------------

describe("phone number lifecycle (own server with --allow-clock-control and delays)", () => {
  let clocked;
  before(async () => {
    clocked = await new ChimedServer({
      extraArgs: ["--allow-clock-control", "--order-delay", "1h", "--calling-name-delay", "1h"],
    }).start();
  });
  after(async () => {
    if (clocked) await clocked.cleanup();
  });

  test("search, order, associate, rename, disassociate, delete, restore, delete, purge", async () => {
    const t = tenant(clocked);
    const advance = async (seconds) => {
      const acct = t.awsAccount;
      const now = await clocked.control("GET", "/_chimed/clock", undefined, { awsAccountId: acct });
      assert.equal(now.status, 200, JSON.stringify(now.body));
      const r = await clocked.control("PUT", "/_chimed/clock", { OffsetSeconds: now.body.OffsetSeconds + seconds }, {
        awsAccountId: acct,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };

    const found = await t.search(3, { AreaCode: "503" });
    const e164 = found[0];
    const order = await t.order([e164]);
    assert.equal(order.Status, "Processing");
    assert.equal((await t.call("GetPhoneNumberOrder", { PhoneNumberOrderId: order.PhoneNumberOrderId })).PhoneNumberOrder.Status, "Processing");
    const pending = await t.number(e164);
    assert.equal(pending.Status, "AcquireInProgress");
    const id = pending.PhoneNumberId; // "%2B…", passed back as is from here on
    assert.equal(id, "%2B" + e164.slice(1));

    await advance(3600);
    const done = (await t.call("GetPhoneNumberOrder", { PhoneNumberOrderId: order.PhoneNumberOrderId })).PhoneNumberOrder;
    assert.equal(done.Status, "Successful");
    assert.deepEqual(done.OrderedPhoneNumbers, [{ E164PhoneNumber: e164, Status: "Acquired" }]);
    assert.equal((await t.number(id)).Status, "Unassigned");

    const u = await t.accountWithUser();
    await t.call("AssociatePhoneNumberWithUser", { ...u, E164PhoneNumber: e164 });
    assert.equal((await t.number(id)).Status, "Assigned");
    assert.equal((await t.call("GetUser", u)).User.PrimaryProvisionedNumber, e164);

    const renamed = (await t.call("UpdatePhoneNumber", { PhoneNumberId: id, CallingName: "Front Desk" })).PhoneNumber;
    assert.equal(renamed.CallingName, "Front Desk");
    assert.equal(renamed.CallingNameStatus, "UpdateInProgress");
    await rejectsWith(
      t.call("UpdatePhoneNumber", { PhoneNumberId: id, CallingName: "Back Desk" }),
      "ConflictException",
      "Conflict",
      409,
    );
    await advance(3600);
    assert.equal((await t.number(id)).CallingNameStatus, "UpdateSucceeded");

    await t.call("DisassociatePhoneNumberFromUser", u);
    assert.equal((await t.number(id)).Status, "Unassigned");
    meta(await t.call("DeletePhoneNumber", { PhoneNumberId: id }), 204);
    assert.equal((await t.number(id)).Status, "DeleteInProgress");
    assert.equal((await t.call("RestorePhoneNumber", { PhoneNumberId: id })).PhoneNumber.Status, "Unassigned");
    meta(await t.call("DeletePhoneNumber", { PhoneNumberId: id }), 204);

    await advance(168 * 3600 - 60);
    assert.equal((await t.number(id)).Status, "DeleteInProgress");
    await advance(60);
    await notFound(t.call("GetPhoneNumber", { PhoneNumberId: id }));
    await notFound(t.call("RestorePhoneNumber", { PhoneNumberId: id }));
    assert.deepEqual((await t.call("ListPhoneNumbers", {})).PhoneNumbers, []);
    const offered = (await t.call("SearchAvailablePhoneNumbers", { AreaCode: "503", MaxResults: 500 })).E164PhoneNumbers;
    assert.ok(!offered.includes(e164), "a purged number is offered again");
    assert.deepEqual(offered.slice(0, 2), found.slice(1));
  });
});
