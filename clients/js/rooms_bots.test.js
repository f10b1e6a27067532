// Conformance suite, rooms and bots: aws-sdk-js v3 (@aws-sdk/client-chime) against chimed (docs/behavior.md §3.8, §3.9,
// §4.32–§4.37, §10; D31–D38): the 10 room operations and the 8 bot operations, paginateListRooms,
// paginateListBots and paginateListRoomMemberships, and an Invite delivered to a node http receiver that checks
// Chime-Signature (base64 HMAC-SHA256 of `Chime-Request-Timestamp + "|" + body` with the bot's SecurityToken).
// Run: CHIMED_BIN=/path/to/chimed node --test rooms_bots.test.js   (builds the server when CHIMED_BIN is unset)
//
// One server of this file's own; every test acts in an AWS account of its own (the bot event outbox belongs to
// the AWS account).
import assert from "node:assert/strict";
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";

import * as C from "@aws-sdk/client-chime";

import { ChimedServer, RUN } from "./harness.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
const freshAwsAccount = () =>
  `6${String(parseInt(RUN.slice(0, 2), 16) % 100).padStart(2, "0")}${String(accountSeq++).padStart(9, "0")}`;

async function rejectsWith(promise, name, code, status) {
  await assert.rejects(promise, (err) => {
    assert.ok(
      err instanceof C[name],
      `want ${name}, got ${err?.name} (HTTP ${err?.$metadata?.httpStatusCode}, Code ${err?.Code}): ${err?.message}`,
    );
    assert.equal(err.Code, code);
    assert.equal(err.$metadata.httpStatusCode, status);
    assert.ok(err.$metadata.requestId, "x-amzn-RequestId missing");
    return true;
  });
}
const notFound = (p) => rejectsWith(p, "NotFoundException", "NotFound", 404);
const badRequest = (p) => rejectsWith(p, "BadRequestException", "BadRequest", 400);
const forbidden = (p) => rejectsWith(p, "ForbiddenException", "Forbidden", 403);
const conflict = (p) => rejectsWith(p, "ConflictException", "Conflict", 409);

function meta(out, status) {
  assert.equal(out.$metadata.httpStatusCode, status);
  assert.ok(out.$metadata.requestId, "x-amzn-RequestId missing");
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A tenant: a client in a fresh AWS account, with an Enterprise account fixture. */
function tenant() {
  const awsAccount = freshAwsAccount();
  const c = server.client({ awsAccountId: awsAccount });
  const t = {
    c,
    awsAccount,
    call: (op, input) => c.send(new C[`${op}Command`](input)),
    control: (method, p, body) => server.control(method, p, body, { awsAccountId: awsAccount }),
    async account(type = "EnterpriseDirectory") {
      const { Account } = await t.call("CreateAccount", { Name: `js-rooms-${RUN}-${randomUUID().slice(0, 6)}` });
      if (type !== "Team") {
        const r = await t.control("PUT", `/_chimed/accounts/${Account.AccountId}/type`, { AccountType: type });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      return Account.AccountId;
    },
    async user(AccountId, Username) {
      const out = await t.call("CreateUser", { AccountId, Username, Email: `${Username.split(" ")[0].toLowerCase()}-${RUN}-${randomUUID().slice(0, 8)}@example.com` });
      meta(out, 201);
      return out.User;
    },
  };
  return t;
}

/** A bot endpoint as a node author writes one: checks the signature, echoes challenges, records events. */
async function receiver(token) {
  const r = { token, events: [], rejected: [], waiters: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const ts = req.headers["chime-request-timestamp"] || "";
      const sig = Buffer.from(req.headers["chime-signature"] || "");
      const want = Buffer.from(createHmac("sha256", r.token).update(`${ts}|`).update(raw).digest("base64"));
      const fresh = Math.abs(Date.now() - Date.parse(ts)) < 5 * 60 * 1000;
      if (sig.length !== want.length || !timingSafeEqual(sig, want) || !fresh) {
        r.rejected.push({ headers: req.headers, raw: raw.toString() });
        res.writeHead(401, { "content-type": "application/json" }).end('{"message":"bad signature"}');
        return;
      }
      const event = JSON.parse(raw.toString());
      if (event.EventType === "HTTPSEndpointVerification") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ Challenge: event.Challenge }));
        return;
      }
      r.events.push({ event, raw: raw.toString(), timestamp: ts, signature: sig.toString() });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((resolve) => r.server.listen(0, "127.0.0.1", resolve));
  r.url = `http://127.0.0.1:${r.server.address().port}/events`;
  r.waitFor = async (type, ms = 10000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = r.events.find((e) => e.event.EventType === type);
      if (found || Date.now() > deadline) return found;
      await sleep(20);
    }
  };
  r.close = () => new Promise((resolve) => r.server.close(resolve));
  return r;
}

async function collect(paginator, key) {
  const pages = [];
  for await (const page of paginator) pages.push(page[key]);
  return pages;
}

// ---- rooms and memberships ------------------------------------------------------------------------------------

describe("rooms and memberships", () => {
  test("CreateRoom, GetRoom, UpdateRoom, DeleteRoom and paginateListRooms", async () => {
    const t = tenant();
    const aid = await t.account();
    const created = await t.call("CreateRoom", { AccountId: aid, Name: "chatRoom" });
    meta(created, 201);
    const room = created.Room;
    assert.deepEqual(Object.keys(room).sort(), ["AccountId", "CreatedBy", "CreatedTimestamp", "Name", "RoomId", "UpdatedTimestamp"]);
    assert.match(room.RoomId, UUID_RE);
    assert.equal(room.AccountId, aid);
    assert.equal(room.CreatedBy, `arn:aws:iam::${t.awsAccount}:user/${server.credentials(t.awsAccount).accessKeyId}`);
    assert.ok(room.CreatedTimestamp instanceof Date);
    assert.equal(room.UpdatedTimestamp.getTime(), room.CreatedTimestamp.getTime());

    const got = await t.call("GetRoom", { AccountId: aid, RoomId: room.RoomId });
    meta(got, 200);
    assert.deepEqual(got.Room, room);
    await sleep(5);
    const upd = await t.call("UpdateRoom", { AccountId: aid, RoomId: room.RoomId, Name: "teamRoom" });
    meta(upd, 200);
    assert.equal(upd.Room.Name, "teamRoom");
    assert.ok(upd.Room.UpdatedTimestamp > room.UpdatedTimestamp);

    // the SDK inserts a ClientRequestToken: two calls, two rooms; the same explicit token, one room
    const ids = [room.RoomId];
    for (let i = 0; i < 2; i++) ids.push((await t.call("CreateRoom", { AccountId: aid, Name: "chatRoom" })).Room.RoomId);
    const token = `tok-${RUN}`;
    const a = await t.call("CreateRoom", { AccountId: aid, Name: "idem", ClientRequestToken: token });
    const b = await t.call("CreateRoom", { AccountId: aid, Name: "idem", ClientRequestToken: token });
    meta(b, 201);
    assert.deepEqual(b.Room, a.Room);
    ids.push(a.Room.RoomId);
    await badRequest(t.call("CreateRoom", { AccountId: aid, Name: "other", ClientRequestToken: token }));

    const pages = await collect(C.paginateListRooms({ client: t.c, pageSize: 2 }, { AccountId: aid }), "Rooms");
    assert.deepEqual(pages.map((p) => p.length), [2, 2]);
    assert.deepEqual(pages.flat().map((r) => r.RoomId), ids);

    const del = await t.call("DeleteRoom", { AccountId: aid, RoomId: room.RoomId });
    meta(del, 204);
    await notFound(t.call("GetRoom", { AccountId: aid, RoomId: room.RoomId }));
    await notFound(t.call("DeleteRoom", { AccountId: aid, RoomId: room.RoomId }));
    await badRequest(t.call("CreateRoom", { AccountId: aid, Name: " " }));
    const team = await t.account("Team");
    await forbidden(t.call("CreateRoom", { AccountId: team, Name: "r" }));
    await forbidden(t.call("ListRooms", { AccountId: team }));
  });

  test("memberships: Create, BatchCreate, paginateListRoomMemberships, Update, Delete", async () => {
    const t = tenant();
    const aid = await t.account();
    const users = [];
    for (const n of ["Jane Doe", "Zhang Wei", "Sofia Martinez"]) users.push(await t.user(aid, n));
    const [jane, wei, sofia] = users;
    const { Room } = await t.call("CreateRoom", { AccountId: aid, Name: "members" });
    const rid = Room.RoomId;

    const created = await t.call("CreateRoomMembership", { AccountId: aid, RoomId: rid, MemberId: jane.UserId });
    meta(created, 201);
    const m = created.RoomMembership;
    assert.deepEqual(m.Member, { MemberId: jane.UserId, MemberType: "User", Email: jane.PrimaryEmail, FullName: "Jane Doe", AccountId: aid });
    assert.equal(m.Role, "Member");
    assert.equal(m.InvitedBy, Room.CreatedBy);
    assert.ok(m.UpdatedTimestamp instanceof Date);
    await conflict(t.call("CreateRoomMembership", { AccountId: aid, RoomId: rid, MemberId: jane.UserId }));
    await notFound(t.call("CreateRoomMembership", { AccountId: aid, RoomId: rid, MemberId: randomUUID() }));

    const unknown = randomUUID();
    const batch = await t.call("BatchCreateRoomMembership", {
      AccountId: aid,
      RoomId: rid,
      MembershipItemList: [
        { MemberId: wei.UserId, Role: "Administrator" },
        { MemberId: sofia.UserId, Role: "Member" },
        { MemberId: jane.UserId },
        { MemberId: unknown },
      ],
    });
    meta(batch, 201);
    assert.deepEqual(batch.Errors.map((e) => [e.MemberId, e.ErrorCode]), [[jane.UserId, "Conflict"], [unknown, "NotFound"]]);
    await badRequest(t.call("BatchCreateRoomMembership", { AccountId: aid, RoomId: rid, MembershipItemList: [{ MemberId: wei.UserId, Role: "Owner" }] }));

    const pages = await collect(
      C.paginateListRoomMemberships({ client: t.c, pageSize: 2 }, { AccountId: aid, RoomId: rid }),
      "RoomMemberships",
    );
    assert.deepEqual(pages.map((p) => p.length), [2, 1]);
    const all = pages.flat();
    assert.equal(all[0].Member.MemberId, jane.UserId);
    assert.deepEqual(new Set(all.map((x) => `${x.Member.FullName}/${x.Role}`)), new Set(["Jane Doe/Member", "Zhang Wei/Administrator", "Sofia Martinez/Member"]));
    const rooms = await t.call("ListRooms", { AccountId: aid, MemberId: wei.UserId });
    assert.deepEqual(rooms.Rooms.map((r) => r.RoomId), [rid]);

    const upd = await t.call("UpdateRoomMembership", { AccountId: aid, RoomId: rid, MemberId: jane.UserId, Role: "Administrator" });
    meta(upd, 200);
    assert.equal(upd.RoomMembership.Role, "Administrator");
    await notFound(t.call("UpdateRoomMembership", { AccountId: aid, RoomId: rid, MemberId: randomUUID(), Role: "Member" }));
    meta(await t.call("DeleteRoomMembership", { AccountId: aid, RoomId: rid, MemberId: sofia.UserId }), 204);
    await notFound(t.call("DeleteRoomMembership", { AccountId: aid, RoomId: rid, MemberId: sofia.UserId }));
  });
});

// ---- bots -----------------------------------------------------------------------------------------------------

describe("bots and events", () => {
  test("CreateBot, GetBot, paginateListBots, UpdateBot, RegenerateSecurityToken", async () => {
    const t = tenant();
    const aid = await t.account();
    const created = await t.call("CreateBot", { AccountId: aid, DisplayName: "myBot", Domain: "example.com" });
    meta(created, 201);
    const bot = created.Bot;
    assert.match(bot.BotId, UUID_RE);
    assert.equal(bot.UserId, bot.BotId);
    assert.equal(bot.DisplayName, "myBot (Bot)");
    assert.equal(bot.BotType, "ChatBot");
    assert.equal(bot.Disabled, false);
    assert.equal(bot.BotEmail, "myBot-chimebot@example.com");
    assert.match(bot.SecurityToken, /^[A-Za-z0-9+/]{40}$/);
    assert.ok(bot.CreatedTimestamp instanceof Date);
    assert.equal(bot.UpdatedTimestamp.getTime(), bot.CreatedTimestamp.getTime());
    assert.deepEqual((await t.call("GetBot", { AccountId: aid, BotId: bot.BotId })).Bot, bot);
    await badRequest(t.call("CreateBot", { AccountId: aid, DisplayName: "MyBot", Domain: "EXAMPLE.com" }));
    await notFound(t.call("GetBot", { AccountId: aid, BotId: randomUUID() }));

    const off = await t.call("UpdateBot", { AccountId: aid, BotId: bot.BotId, Disabled: true });
    meta(off, 200);
    assert.deepEqual(off.Bot, { ...bot, Disabled: true });
    const regen = await t.call("RegenerateSecurityToken", { AccountId: aid, BotId: bot.BotId });
    meta(regen, 200);
    assert.notEqual(regen.Bot.SecurityToken, bot.SecurityToken);
    assert.deepEqual(regen.Bot, { ...bot, Disabled: true, SecurityToken: regen.Bot.SecurityToken });

    const ids = [bot.BotId];
    for (const n of ["two", "three"]) ids.push((await t.call("CreateBot", { AccountId: aid, DisplayName: n, Domain: "example.com" })).Bot.BotId);
    const pages = await collect(C.paginateListBots({ client: t.c, pageSize: 2 }, { AccountId: aid }), "Bots");
    assert.deepEqual(pages.map((p) => p.length), [2, 1]);
    assert.deepEqual(pages.flat().map((b) => b.BotId), ids);
    const team = await t.account("Team");
    await forbidden(t.call("ListBots", { AccountId: team }));
  });

  test("events configuration and an Invite delivered to a receiver that checks the signature", async () => {
    const t = tenant();
    const aid = await t.account();
    const { Bot: bot } = await t.call("CreateBot", { AccountId: aid, DisplayName: "Notifier", Domain: "example.com" });
    const r = await receiver(bot.SecurityToken);
    try {
      await notFound(t.call("GetEventsConfiguration", { AccountId: aid, BotId: bot.BotId }));
      const put = await t.call("PutEventsConfiguration", { AccountId: aid, BotId: bot.BotId, OutboundEventsHTTPSEndpoint: r.url });
      meta(put, 201);
      assert.deepEqual(put.EventsConfiguration, { BotId: bot.BotId, OutboundEventsHTTPSEndpoint: r.url });
      const got = await t.call("GetEventsConfiguration", { AccountId: aid, BotId: bot.BotId });
      meta(got, 200);
      assert.deepEqual(got.EventsConfiguration, put.EventsConfiguration);
      await badRequest(t.call("PutEventsConfiguration", { AccountId: aid, BotId: bot.BotId }));

      const { Room } = await t.call("CreateRoom", { AccountId: aid, Name: "alerts" });
      const m = await t.call("CreateRoomMembership", { AccountId: aid, RoomId: Room.RoomId, MemberId: bot.BotId });
      meta(m, 201);
      assert.equal(m.RoomMembership.Member.MemberType, "Bot");
      assert.equal(m.RoomMembership.Member.Email, bot.BotEmail);
      const invite = await r.waitFor("Invite");
      assert.ok(invite, "no Invite reached the receiver");
      assert.deepEqual(r.rejected, []);
      assert.deepEqual(Object.keys(invite.event), ["Sender", "Discussion", "EventType", "InboundHttpsEndpoint", "EventTimestamp"]);
      assert.deepEqual(invite.event.Sender, { SenderId: Room.CreatedBy, SenderIdType: "IamArn" });
      assert.deepEqual(invite.event.Discussion, { DiscussionId: Room.RoomId, DiscussionType: "Room" });
      assert.equal(invite.event.InboundHttpsEndpoint.EndpointType, "Persistent");

      // the outbox records the same bytes and signature
      let events;
      for (let i = 0; i < 100; i++) {
        const res = await t.control("GET", `/_chimed/bot-events?bot-id=${bot.BotId}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        events = res.body.Events;
        if (events.every((e) => e.Status !== "Pending")) break;
        await sleep(50);
      }
      assert.deepEqual(events.map((e) => [e.EventType, e.Status]), [["HTTPSEndpointVerification", "Delivered"], ["Invite", "Delivered"]]);
      assert.equal(events[1].Body, invite.raw);
      assert.equal(events[1].Attempts.at(-1).ChimeSignature, invite.signature);

      // with another token configured at the receiver, the Remove is refused (401, not retried) -> Failed
      r.token = "not-the-token";
      meta(await t.call("DeleteRoomMembership", { AccountId: aid, RoomId: Room.RoomId, MemberId: bot.BotId }), 204);
      for (let i = 0; i < 200 && r.rejected.length === 0; i++) await sleep(20);
      assert.equal(r.rejected.length, 1);
      assert.equal(JSON.parse(r.rejected[0].raw).EventType, "Remove");

      meta(await t.call("DeleteEventsConfiguration", { AccountId: aid, BotId: bot.BotId }), 204);
      await notFound(t.call("GetEventsConfiguration", { AccountId: aid, BotId: bot.BotId }));
      await badRequest(t.call("DeleteEventsConfiguration", { AccountId: aid, BotId: randomUUID() }));
    } finally {
      await r.close();
    }
  });
});
