"""Conformance suite, rooms and bots: boto3 against chimed (docs/behavior.md §3.8, §3.9, §4.23, §4.32–§4.37, §5.5, §10,
§9.6–§9.8; D31–D39).

Run:  python3 -m unittest -v test_boto3_rooms_bots   (in clients/python; CHIMED_BIN as for test_boto3)

One server of this module's own (class ChimedServer of test_boto3, CHIMED_AUTH_MODE). Every test acts in an AWS
account of its own (the bot event outbox belongs to the AWS account). Bot endpoints are demo_bot.DemoBot servers on
127.0.0.1: a bot as its author would write it, which checks Chime-Signature, answers the endpoint challenge,
records events and answers mentions through the event's reply URL. DemoBotTests is the issue's "done when" story.
botocore has no paginators for ListRooms/ListBots/ListRoomMemberships, so the tests follow NextToken themselves.
"""

import base64
import datetime
import json
import re
import time
import unittest
import urllib.error
import urllib.request
import uuid

from demo_bot import DemoBot, sign
from test_boto3 import RUN, UUID_RE, ChimedServer, ChimeTestCase
from test_boto3_numbers import fresh_aws_account

ROOMS = None
TOKEN_RE = re.compile(r"^[A-Za-z0-9+/]{40}$")
ISO_MS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ROOM_KEYS = {"RoomId", "Name", "AccountId", "CreatedBy", "CreatedTimestamp", "UpdatedTimestamp"}
BOT_KEYS = {"BotId", "UserId", "DisplayName", "BotType", "Disabled", "CreatedTimestamp", "UpdatedTimestamp",
            "BotEmail", "SecurityToken"}
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:myBotHandler"


def setUpModule():
    global ROOMS
    ROOMS = ChimedServer().start()


def tearDownModule():
    if ROOMS:
        ROOMS.cleanup()


def post_json(url, body):
    """POST a JSON body without any signature (reply URLs): (status, parsed body or None)."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    return status, (json.loads(raw) if raw else None)


class RoomsBotsCase(ChimeTestCase):
    """self.chime acts in an AWS account of its own on ROOMS; fixtures for Enterprise accounts, users and bots."""

    @classmethod
    def setUpClass(cls):
        cls.server = ROOMS

    def setUp(self):
        self.aws_account = fresh_aws_account()
        self.chime = self.server.client(self.aws_account)
        self.exc = self.chime.exceptions
        self.bots = []

    def tearDown(self):
        for b in self.bots:
            b.stop()

    # fixtures --------------------------------------------------------------------------------------------------

    def control(self, method, path, body=None):
        return self.server.control(method, path, body, aws_account_id=self.aws_account)

    def set_type(self, account_id, account_type):
        status, body = self.control("PUT", "/_chimed/accounts/%s/type" % account_id, {"AccountType": account_type})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["Account"]["AccountType"], account_type)

    def enterprise_account(self):
        a = self.new_account()
        self.set_type(a["AccountId"], "EnterpriseDirectory")
        return a["AccountId"]

    def user(self, aid, name="Jane Doe"):
        resp = self.chime.create_user(AccountId=aid, Username=name, Email=self.email("member"))
        self.assertMeta(resp, 201)
        return resp["User"]

    def lwa_account_with(self, *names):
        """An EnterpriseLWA account with registered users of these display names: (AccountId, [User…])."""
        aid = self.new_account()["AccountId"]
        emails = [self.email("lwa") for _ in names]
        self.assertMeta(self.chime.invite_users(AccountId=aid, UserEmailList=emails), 201)
        ids = [self.user_by_email(aid, e)["UserId"] for e in emails]
        self.set_type(aid, "EnterpriseLWA")
        users = []
        for uid, name in zip(ids, names):
            status, body = self.control("POST", "/_chimed/accounts/%s/users/%s/register" % (aid, uid),
                                        {"DisplayName": name})
            self.assertEqual(status, 200, body)
            users.append(body["User"])
        return aid, users

    def room(self, aid, name="chatRoom"):
        resp = self.chime.create_room(AccountId=aid, Name=name)
        self.assertMeta(resp, 201)
        return resp["Room"]

    def bot(self, aid, name="myBot"):
        resp = self.chime.create_bot(AccountId=aid, DisplayName=name, Domain="example.com")
        self.assertMeta(resp, 201)
        return resp["Bot"]

    def demo_bot(self, token):
        b = DemoBot(token).start()
        self.bots.append(b)
        return b

    def configured_bot(self, aid, name="myBot"):
        """A bot with its events configuration pointing at a running DemoBot: (Bot, DemoBot)."""
        bot = self.bot(aid, name)
        demo = self.demo_bot(bot["SecurityToken"])
        resp = self.chime.put_events_configuration(AccountId=aid, BotId=bot["BotId"],
                                                   OutboundEventsHTTPSEndpoint=demo.url)
        self.assertMeta(resp, 201)
        return bot, demo

    def caller_arn(self):
        key, _ = self.server.credentials(self.aws_account)
        return "arn:aws:iam::%s:user/%s" % (self.aws_account, key)

    def bot_events(self, bot_id=None):
        status, body = self.control("GET", "/_chimed/bot-events" + ("?bot-id=" + bot_id if bot_id else ""))
        self.assertEqual(status, 200, body)
        return body["Events"]

    def settled_bot_events(self, bot_id, n, timeout=10):
        """The bot's outbox once it holds n events none of which is Pending."""
        deadline = time.time() + timeout
        while True:
            events = self.bot_events(bot_id)
            if len(events) >= n and all(e["Status"] != "Pending" for e in events) or time.time() > deadline:
                return events
            time.sleep(0.1)

    def forbidden(self, fn, **kw):
        return self.assertChimeError("ForbiddenException", "Forbidden", 403, fn, **kw)

    def all_pages(self, fn, key, **kw):
        items, token, pages = [], None, 0
        while True:
            page = fn(**kw, **({"NextToken": token} if token else {}))
            self.assertMeta(page, 200)
            items += page[key]
            pages += 1
            token = page.get("NextToken")
            if not token:
                return items, pages


# ==============================================================================================================
# Rooms (§4.32; D31, D32)
# ==============================================================================================================


class RoomTests(RoomsBotsCase):

    def test_create_get_list_update_delete_room(self):
        aid = self.enterprise_account()
        room = self.room(aid)
        self.assertEqual(set(room), ROOM_KEYS)
        self.assertRegex(room["RoomId"], UUID_RE)
        self.assertEqual((room["Name"], room["AccountId"], room["CreatedBy"]), ("chatRoom", aid, self.caller_arn()))
        self.assertRecent(room["CreatedTimestamp"])
        self.assertEqual(room["UpdatedTimestamp"], room["CreatedTimestamp"])

        got = self.chime.get_room(AccountId=aid, RoomId=room["RoomId"])
        self.assertMeta(got, 200)
        self.assertEqual(got["Room"], room)
        self.assertEqual(self.chime.list_room_memberships(AccountId=aid, RoomId=room["RoomId"])["RoomMemberships"],
                         [])  # a new room has no members

        time.sleep(0.005)
        upd = self.chime.update_room(AccountId=aid, RoomId=room["RoomId"], Name="teamRoom")
        self.assertMeta(upd, 200)
        self.assertEqual(upd["Room"]["Name"], "teamRoom")
        self.assertEqual(upd["Room"]["CreatedTimestamp"], room["CreatedTimestamp"])
        self.assertGreater(upd["Room"]["UpdatedTimestamp"], room["UpdatedTimestamp"])
        same = self.chime.update_room(AccountId=aid, RoomId=room["RoomId"])  # no Name: unchanged
        self.assertMeta(same, 200)
        self.assertEqual(same["Room"], upd["Room"])

        others = [self.room(aid, "room %d" % i) for i in range(3)]
        listed = self.chime.list_rooms(AccountId=aid)
        self.assertMeta(listed, 200)
        self.assertEqual([r["RoomId"] for r in listed["Rooms"]], [room["RoomId"]] + [r["RoomId"] for r in others])
        self.assertNotIn("NextToken", listed)
        self.assertEqual(listed["Rooms"][0], upd["Room"])
        paged, pages = self.all_pages(self.chime.list_rooms, "Rooms", AccountId=aid, MaxResults=1)
        self.assertEqual((paged, pages), (listed["Rooms"], 4))
        self.assertEqual(self.chime.list_rooms(AccountId=aid, MemberId=str(uuid.uuid4()))["Rooms"], [])
        self.assertBadRequest(self.chime.list_rooms, AccountId=aid, MaxResults=100)
        self.assertBadRequest(self.chime.list_rooms, AccountId=aid, NextToken="garbage")

        resp = self.chime.delete_room(AccountId=aid, RoomId=room["RoomId"])
        self.assertMeta(resp, 204)
        self.assertNotFound(self.chime.get_room, AccountId=aid, RoomId=room["RoomId"])
        self.assertNotFound(self.chime.delete_room, AccountId=aid, RoomId=room["RoomId"])
        self.assertNotFound(self.chime.update_room, AccountId=aid, RoomId=room["RoomId"], Name="x")
        self.assertEqual(len(self.chime.list_rooms(AccountId=aid)["Rooms"]), 3)

    def test_room_errors_and_tenancy(self):
        aid = self.enterprise_account()
        for name in ("   ", "x" * 257):
            with self.subTest(name=name[:10]):
                self.assertBadRequest(self.chime.create_room, AccountId=aid, Name=name)
        self.assertNotFound(self.chime.create_room, AccountId=str(uuid.uuid4()), Name="r")
        self.assertNotFound(self.chime.get_room, AccountId=aid, RoomId=str(uuid.uuid4()))
        room = self.room(aid)
        other = self.server.client(fresh_aws_account())
        self.assertNotFound(other.get_room, AccountId=aid, RoomId=room["RoomId"])
        aid2 = self.enterprise_account()
        self.assertNotFound(self.chime.get_room, AccountId=aid2, RoomId=room["RoomId"])

    def test_team_account_is_forbidden(self):
        team = self.new_account()["AccountId"]
        self.forbidden(self.chime.create_room, AccountId=team, Name="r")
        self.forbidden(self.chime.list_rooms, AccountId=team)
        self.forbidden(self.chime.get_room, AccountId=team, RoomId=str(uuid.uuid4()))
        self.forbidden(self.chime.create_bot, AccountId=team, DisplayName="b", Domain="example.com")
        self.forbidden(self.chime.list_bots, AccountId=team)
        # an account turned Team keeps its rooms, refused the same way
        aid = self.enterprise_account()
        room = self.room(aid)
        self.set_type(aid, "Team")
        self.forbidden(self.chime.get_room, AccountId=aid, RoomId=room["RoomId"])
        self.forbidden(self.chime.list_room_memberships, AccountId=aid, RoomId=room["RoomId"])

    def test_client_request_token_is_idempotent(self):
        aid = self.enterprise_account()
        token = "token-" + RUN
        first = self.chime.create_room(AccountId=aid, Name="idem", ClientRequestToken=token)
        self.assertMeta(first, 201)
        again = self.chime.create_room(AccountId=aid, Name="idem", ClientRequestToken=token)
        self.assertMeta(again, 201)
        self.assertEqual(again["Room"], first["Room"])
        self.assertBadRequest(self.chime.create_room, AccountId=aid, Name="other", ClientRequestToken=token)
        # botocore fills in a fresh token when none is given: two calls, two rooms
        a, b = self.room(aid, "idem"), self.room(aid, "idem")
        self.assertNotEqual(a["RoomId"], b["RoomId"])
        self.assertEqual(len(self.chime.list_rooms(AccountId=aid)["Rooms"]), 3)
        # once the room is deleted, the token makes a new room
        self.chime.delete_room(AccountId=aid, RoomId=first["Room"]["RoomId"])
        third = self.chime.create_room(AccountId=aid, Name="idem", ClientRequestToken=token)
        self.assertNotEqual(third["Room"]["RoomId"], first["Room"]["RoomId"])


# ==============================================================================================================
# Memberships (§4.33, §4.34, §5.4; D33)
# ==============================================================================================================


class MembershipTests(RoomsBotsCase):

    def test_memberships(self):
        aid, (jane, wei, sofia, sam) = self.lwa_account_with("Jane Doe", "Zhang Wei", "Sofia Martinez", "Sam S")
        room = self.room(aid)
        rid = room["RoomId"]

        resp = self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=jane["UserId"])
        self.assertMeta(resp, 201)
        m = resp["RoomMembership"]
        self.assertEqual(set(m), {"RoomId", "Member", "Role", "InvitedBy", "UpdatedTimestamp"})
        self.assertEqual(m["Member"], {"MemberId": jane["UserId"], "MemberType": "User",
                                       "Email": jane["PrimaryEmail"], "FullName": "Jane Doe", "AccountId": aid})
        self.assertEqual((m["RoomId"], m["Role"], m["InvitedBy"]), (rid, "Member", self.caller_arn()))
        self.assertRecent(m["UpdatedTimestamp"])
        self.assertChimeError("ConflictException", "Conflict", 409, self.chime.create_room_membership,
                              AccountId=aid, RoomId=rid, MemberId=jane["UserId"])
        self.assertNotFound(self.chime.create_room_membership, AccountId=aid, RoomId=rid, MemberId=str(uuid.uuid4()))
        self.assertNotFound(self.chime.create_room_membership, AccountId=aid, RoomId=str(uuid.uuid4()),
                            MemberId=wei["UserId"])

        # a suspended user cannot join
        suspended = self.chime.batch_suspend_user(AccountId=aid, UserIdList=[sam["UserId"]])
        self.assertEqual(suspended["UserErrors"], [])
        self.assertBadRequest(self.chime.create_room_membership, AccountId=aid, RoomId=rid, MemberId=sam["UserId"])

        unknown = str(uuid.uuid4())
        batch = self.chime.batch_create_room_membership(AccountId=aid, RoomId=rid, MembershipItemList=[
            {"MemberId": wei["UserId"], "Role": "Member"},
            {"MemberId": sofia["UserId"], "Role": "Administrator"},
            {"MemberId": jane["UserId"]},
            {"MemberId": unknown},
            {"MemberId": wei["UserId"], "Role": "Administrator"},
            {"MemberId": sam["UserId"]},
        ])
        self.assertMeta(batch, 201)
        self.assertEqual([(e["MemberId"], e["ErrorCode"]) for e in batch["Errors"]],
                         [(jane["UserId"], "Conflict"), (unknown, "NotFound"), (wei["UserId"], "Conflict"),
                          (sam["UserId"], "BadRequest")])
        for e in batch["Errors"]:
            self.assertEqual(set(e), {"MemberId", "ErrorCode", "ErrorMessage"})
        empty = self.chime.batch_create_room_membership(AccountId=aid, RoomId=rid, MembershipItemList=[])
        self.assertMeta(empty, 201)
        self.assertEqual(empty["Errors"], [])
        self.assertBadRequest(self.chime.batch_create_room_membership, AccountId=aid, RoomId=rid,
                              MembershipItemList=[{"MemberId": str(uuid.uuid4())} for _ in range(51)])

        listed = self.chime.list_room_memberships(AccountId=aid, RoomId=rid)
        self.assertMeta(listed, 200)
        # join order, then MemberId (the batch's items may share a join time)
        self.assertEqual([(x["Member"]["MemberId"], x["Role"]) for x in listed["RoomMemberships"]],
                         [(jane["UserId"], "Member")] + sorted(
                             [(wei["UserId"], "Member"), (sofia["UserId"], "Administrator")],
                             key=lambda p: ([x["UpdatedTimestamp"] for x in listed["RoomMemberships"]
                                             if x["Member"]["MemberId"] == p[0]][0], p[0])))
        self.assertEqual(listed["RoomMemberships"][0], m)
        paged, pages = self.all_pages(self.chime.list_room_memberships, "RoomMemberships", AccountId=aid,
                                      RoomId=rid, MaxResults=2)
        self.assertEqual((paged, pages), (listed["RoomMemberships"], 2))
        self.assertEqual([r["RoomId"] for r in self.chime.list_rooms(AccountId=aid, MemberId=wei["UserId"])["Rooms"]],
                         [rid])
        self.assertEqual(self.chime.list_rooms(AccountId=aid, MemberId=sam["UserId"])["Rooms"], [])

        time.sleep(0.005)
        upd = self.chime.update_room_membership(AccountId=aid, RoomId=rid, MemberId=wei["UserId"],
                                                Role="Administrator")
        self.assertMeta(upd, 200)
        self.assertEqual(upd["RoomMembership"]["Role"], "Administrator")
        self.assertGreater(upd["RoomMembership"]["UpdatedTimestamp"],
                           next(x for x in listed["RoomMemberships"]
                                if x["Member"]["MemberId"] == wei["UserId"])["UpdatedTimestamp"])
        same = self.chime.update_room_membership(AccountId=aid, RoomId=rid, MemberId=wei["UserId"])
        self.assertEqual(same["RoomMembership"], upd["RoomMembership"])
        self.assertNotFound(self.chime.update_room_membership, AccountId=aid, RoomId=rid, MemberId=sam["UserId"],
                            Role="Member")

        self.assertMeta(self.chime.delete_room_membership(AccountId=aid, RoomId=rid, MemberId=sofia["UserId"]), 204)
        self.assertNotFound(self.chime.delete_room_membership, AccountId=aid, RoomId=rid, MemberId=sofia["UserId"])
        self.assertEqual([x["Member"]["MemberId"] for x in
                          self.chime.list_room_memberships(AccountId=aid, RoomId=rid)["RoomMemberships"]],
                         [jane["UserId"], wei["UserId"]])

        # a user of another account is not found; DeleteRoom takes the memberships along
        other = self.user(self.enterprise_account())
        self.assertNotFound(self.chime.create_room_membership, AccountId=aid, RoomId=rid, MemberId=other["UserId"])
        self.chime.delete_room(AccountId=aid, RoomId=rid)
        self.assertEqual(self.chime.list_rooms(AccountId=aid, MemberId=jane["UserId"])["Rooms"], [])
        self.assertNotFound(self.chime.list_room_memberships, AccountId=aid, RoomId=rid)

    def test_bot_members(self):
        aid = self.enterprise_account()
        rid = self.room(aid)["RoomId"]
        unconfigured = self.bot(aid, "idle")
        self.assertBadRequest(self.chime.create_room_membership, AccountId=aid, RoomId=rid,
                              MemberId=unconfigured["BotId"])
        bot, demo = self.configured_bot(aid)
        self.assertBadRequest(self.chime.create_room_membership, AccountId=aid, RoomId=rid, MemberId=bot["BotId"],
                              Role="Administrator")
        batch = self.chime.batch_create_room_membership(AccountId=aid, RoomId=rid, MembershipItemList=[
            {"MemberId": unconfigured["BotId"]}, {"MemberId": bot["BotId"]}, {"MemberId": bot["BotId"]}])
        self.assertEqual([(e["MemberId"], e["ErrorCode"]) for e in batch["Errors"]],
                         [(unconfigured["BotId"], "BadRequest"), (bot["BotId"], "Conflict")])
        [m] = self.chime.list_room_memberships(AccountId=aid, RoomId=rid)["RoomMemberships"]
        self.assertEqual(m["Member"], {"MemberId": bot["BotId"], "MemberType": "Bot", "Email": bot["BotEmail"],
                                       "FullName": "myBot (Bot)", "AccountId": aid})
        self.assertEqual(m["Role"], "Member")
        self.assertBadRequest(self.chime.update_room_membership, AccountId=aid, RoomId=rid, MemberId=bot["BotId"],
                              Role="Administrator")
        self.assertTrue(demo.wait_for(lambda d: d.events_of("Invite")))
        # a disabled bot cannot be added (but can be removed)
        rid2 = self.room(aid, "second")["RoomId"]
        self.chime.update_bot(AccountId=aid, BotId=bot["BotId"], Disabled=True)
        self.assertBadRequest(self.chime.create_room_membership, AccountId=aid, RoomId=rid2, MemberId=bot["BotId"])
        self.assertMeta(self.chime.delete_room_membership(AccountId=aid, RoomId=rid, MemberId=bot["BotId"]), 204)


# ==============================================================================================================
# Bots and events configuration (§4.36, §4.37, §6.5; D36, D37)
# ==============================================================================================================


class BotTests(RoomsBotsCase):

    def test_create_get_list_update_regenerate_bot(self):
        aid = self.enterprise_account()
        bot = self.bot(aid)
        self.assertEqual(set(bot), BOT_KEYS)
        self.assertRegex(bot["BotId"], UUID_RE)
        self.assertEqual(bot["UserId"], bot["BotId"])
        self.assertEqual((bot["DisplayName"], bot["BotType"], bot["Disabled"], bot["BotEmail"]),
                         ("myBot (Bot)", "ChatBot", False, "myBot-chimebot@example.com"))
        self.assertRegex(bot["SecurityToken"], TOKEN_RE)
        self.assertEqual(len(base64.b64decode(bot["SecurityToken"])), 30)
        self.assertRecent(bot["CreatedTimestamp"])
        self.assertEqual(bot["UpdatedTimestamp"], bot["CreatedTimestamp"])
        # bots are not users
        self.assertEqual(self.chime.list_users(AccountId=aid)["Users"], [])
        self.assertNotFound(self.chime.get_user, AccountId=aid, UserId=bot["BotId"])

        got = self.chime.get_bot(AccountId=aid, BotId=bot["BotId"])
        self.assertMeta(got, 200)
        self.assertEqual(got["Bot"], bot)

        off = self.chime.update_bot(AccountId=aid, BotId=bot["BotId"], Disabled=True)
        self.assertMeta(off, 200)
        self.assertEqual(off["Bot"], dict(bot, Disabled=True))  # UpdatedTimestamp stays = CreatedTimestamp
        self.assertEqual(self.chime.update_bot(AccountId=aid, BotId=bot["BotId"])["Bot"]["Disabled"], True)
        self.assertEqual(self.chime.update_bot(AccountId=aid, BotId=bot["BotId"], Disabled=False)["Bot"], bot)

        regen = self.chime.regenerate_security_token(AccountId=aid, BotId=bot["BotId"])
        self.assertMeta(regen, 200)
        self.assertRegex(regen["Bot"]["SecurityToken"], TOKEN_RE)
        self.assertNotEqual(regen["Bot"]["SecurityToken"], bot["SecurityToken"])
        self.assertEqual(regen["Bot"], dict(bot, SecurityToken=regen["Bot"]["SecurityToken"]))
        self.assertEqual(self.chime.get_bot(AccountId=aid, BotId=bot["BotId"])["Bot"], regen["Bot"])

        second = self.bot(aid, "Help Desk!")
        self.assertEqual((second["DisplayName"], second["BotEmail"]),
                         ("Help Desk! (Bot)", "HelpDesk-chimebot@example.com"))
        listed = self.chime.list_bots(AccountId=aid)
        self.assertMeta(listed, 200)
        self.assertEqual(listed["Bots"], [regen["Bot"], second])
        self.assertNotIn("NextToken", listed)
        paged, pages = self.all_pages(self.chime.list_bots, "Bots", AccountId=aid, MaxResults=1)
        self.assertEqual((paged, pages), (listed["Bots"], 2))

    def test_bot_errors(self):
        aid = self.enterprise_account()
        self.bot(aid)
        for kw in (dict(DisplayName="MYBOT", Domain="Example.COM"),  # the same email in another case
                   dict(DisplayName="x" * 56, Domain="example.com"),
                   dict(DisplayName="   ", Domain="example.com"),
                   dict(DisplayName="b", Domain="localhost"),
                   dict(DisplayName="b", Domain="bad_domain.com"),
                   dict(DisplayName="b")):
            with self.subTest(kw=kw):
                self.assertBadRequest(self.chime.create_bot, AccountId=aid, **kw)
        for i in range(9):
            self.bot(aid, "bot%d" % i)
        self.assertChimeError("ResourceLimitExceededException", "ResourceLimitExceeded", 400, self.chime.create_bot,
                              AccountId=aid, DisplayName="eleventh", Domain="example.com")
        missing = str(uuid.uuid4())
        self.assertNotFound(self.chime.get_bot, AccountId=aid, BotId=missing)
        self.assertNotFound(self.chime.update_bot, AccountId=aid, BotId=missing, Disabled=True)
        self.assertNotFound(self.chime.regenerate_security_token, AccountId=aid, BotId=missing)
        self.assertNotFound(self.chime.list_bots, AccountId=str(uuid.uuid4()))
        self.assertBadRequest(self.chime.list_bots, AccountId=aid, MaxResults=100)

    def test_events_configuration(self):
        aid = self.enterprise_account()
        bot = self.bot(aid)
        bid = bot["BotId"]
        self.assertNotFound(self.chime.get_events_configuration, AccountId=aid, BotId=bid)
        demo = self.demo_bot(bot["SecurityToken"])

        put = self.chime.put_events_configuration(AccountId=aid, BotId=bid, OutboundEventsHTTPSEndpoint=demo.url)
        self.assertMeta(put, 201)
        self.assertEqual(put["EventsConfiguration"], {"BotId": bid, "OutboundEventsHTTPSEndpoint": demo.url})
        got = self.chime.get_events_configuration(AccountId=aid, BotId=bid)
        self.assertMeta(got, 200)
        self.assertEqual(got["EventsConfiguration"], put["EventsConfiguration"])
        # the challenge: signed with the token, echoed by the bot, recorded in the outbox
        [challenge] = self.bot_events(bid)
        self.assertEqual((challenge["EventType"], challenge["Status"], challenge["Target"]),
                         ("HTTPSEndpointVerification", "Delivered", {"Type": "HTTPS", "Value": demo.url}))
        body = json.loads(challenge["Body"])
        self.assertEqual(list(body), ["Challenge", "EventType"])
        self.assertRegex(body["Challenge"], r"^[A-Za-z0-9]{20}$")
        [attempt] = challenge["Attempts"]
        self.assertEqual(attempt["StatusCode"], 200)
        self.assertEqual(attempt["ChimeSignature"],
                         sign(bot["SecurityToken"], attempt["ChimeRequestTimestamp"], challenge["Body"].encode()))
        self.assertRegex(attempt["ChimeRequestTimestamp"], ISO_MS_RE)
        self.assertEqual(demo.rejected, [])

        # an endpoint that does not answer the challenge (it holds another token and answers 401) -> 400, unchanged
        wrong = self.demo_bot("not-the-token")
        self.assertBadRequest(self.chime.put_events_configuration, AccountId=aid, BotId=bid,
                              OutboundEventsHTTPSEndpoint=wrong.url)
        self.assertEqual(len(wrong.rejected), 1)
        self.assertEqual(self.chime.get_events_configuration(AccountId=aid, BotId=bid)["EventsConfiguration"],
                         put["EventsConfiguration"])
        self.assertEqual([e["Status"] for e in self.bot_events(bid)], ["Delivered", "Failed"])
        for kw in (dict(), dict(OutboundEventsHTTPSEndpoint=demo.url, LambdaFunctionArn=LAMBDA_ARN),
                   dict(OutboundEventsHTTPSEndpoint="ftp://example.com/x"),
                   dict(OutboundEventsHTTPSEndpoint="/relative"),
                   dict(LambdaFunctionArn="arn:aws:lambda:us-east-1:1234:function:f")):
            with self.subTest(kw=kw):
                self.assertBadRequest(self.chime.put_events_configuration, AccountId=aid, BotId=bid, **kw)

        # a Lambda ARN replaces the endpoint, accepted as is
        lam = self.chime.put_events_configuration(AccountId=aid, BotId=bid, LambdaFunctionArn=LAMBDA_ARN)
        self.assertMeta(lam, 201)
        self.assertEqual(lam["EventsConfiguration"], {"BotId": bid, "LambdaFunctionArn": LAMBDA_ARN})
        self.assertEqual(self.chime.get_events_configuration(AccountId=aid, BotId=bid)["EventsConfiguration"],
                         lam["EventsConfiguration"])

        self.assertMeta(self.chime.delete_events_configuration(AccountId=aid, BotId=bid), 204)
        self.assertNotFound(self.chime.get_events_configuration, AccountId=aid, BotId=bid)
        self.assertMeta(self.chime.delete_events_configuration(AccountId=aid, BotId=bid), 204)  # idempotent
        # no NotFound is modeled for Delete: unknown bot or account -> 400
        self.assertBadRequest(self.chime.delete_events_configuration, AccountId=aid, BotId=str(uuid.uuid4()))
        self.assertBadRequest(self.chime.delete_events_configuration, AccountId=str(uuid.uuid4()), BotId=bid)
        self.assertNotFound(self.chime.put_events_configuration, AccountId=aid, BotId=str(uuid.uuid4()),
                            LambdaFunctionArn=LAMBDA_ARN)
        team = self.new_account()["AccountId"]
        self.forbidden(self.chime.delete_events_configuration, AccountId=team, BotId=bid)

    def test_lambda_target_events_are_recorded(self):
        aid = self.enterprise_account()
        bot = self.bot(aid)
        self.chime.put_events_configuration(AccountId=aid, BotId=bot["BotId"], LambdaFunctionArn=LAMBDA_ARN)
        rid = self.room(aid)["RoomId"]
        self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=bot["BotId"])
        [ev] = self.bot_events(bot["BotId"])  # written before CreateRoomMembership answered
        self.assertEqual((ev["EventType"], ev["Status"], ev["Target"]),
                         ("Invite", "Recorded", {"Type": "Lambda", "Value": LAMBDA_ARN}))
        ctx = json.loads(base64.b64decode(ev["Attempts"][0]["ClientContext"]))
        self.assertEqual(ctx["Chime-Signature"],
                         sign(bot["SecurityToken"], ctx["Chime-Request-Timestamp"], ev["Body"].encode()))


# ==============================================================================================================
# The "done when": a bot written as a bot author would write it (demo_bot.py), driven end to end
# ==============================================================================================================


class DemoBotTests(RoomsBotsCase):

    def test_done_when_demo_bot_in_a_room(self):
        # An Enterprise account with a user, and a bot whose events go to the demo bot.
        aid = self.enterprise_account()
        jane = self.user(aid, "Jane Doe")
        bot = self.bot(aid, "StatusBot")
        bid, email = bot["BotId"], bot["BotEmail"]
        self.assertEqual(email, "StatusBot-chimebot@example.com")
        demo = self.demo_bot(bot["SecurityToken"])
        put = self.chime.put_events_configuration(AccountId=aid, BotId=bid, OutboundEventsHTTPSEndpoint=demo.url)
        self.assertMeta(put, 201)

        # A room with the user in it; adding the bot sends it an Invite, correctly signed.
        room = self.room(aid, "ops")
        rid = room["RoomId"]
        self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=jane["UserId"], Role="Administrator")
        self.assertMeta(self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=bid), 201)
        self.assertTrue(demo.wait_for(lambda d: d.events_of("Invite")), "no Invite reached the bot")
        [invite] = demo.events_of("Invite")
        self.assertEqual(list(invite), ["Sender", "Discussion", "EventType", "InboundHttpsEndpoint",
                                        "EventTimestamp", "_timestamp"])
        self.assertEqual(invite["Sender"], {"SenderId": self.caller_arn(), "SenderIdType": "IamArn"})
        self.assertEqual(invite["Discussion"], {"DiscussionId": rid, "DiscussionType": "Room"})
        self.assertEqual(invite["InboundHttpsEndpoint"]["EndpointType"], "Persistent")
        self.assertRegex(invite["InboundHttpsEndpoint"]["Url"],
                         r"^%s/incomingwebhooks/[0-9a-f-]{36}\?token=[A-Za-z0-9_-]{64}$" % re.escape(self.server.endpoint))
        self.assertRegex(invite["EventTimestamp"], ISO_MS_RE)

        # The user mentions the bot; the bot gets a Mention and answers into the room through its reply URL.
        content = "@%s status" % email
        status, posted = self.control("POST", "/_chimed/accounts/%s/rooms/%s/messages" % (aid, rid),
                                      {"SenderId": jane["UserId"], "Content": content})
        self.assertEqual(status, 201, posted)
        self.assertEqual(posted["Message"]["Sender"]["Type"], "User")
        self.assertTrue(demo.wait_for(lambda d: d.replies), "the bot did not reply")
        [mention] = demo.events_of("Mention")
        self.assertEqual(mention["Sender"], {"SenderId": jane["PrimaryEmail"], "SenderIdType": "EmailId"})
        self.assertEqual(mention["Discussion"], {"DiscussionId": rid, "DiscussionType": "Room"})
        self.assertEqual(mention["InboundHttpsEndpoint"]["EndpointType"], "ShortLived")
        self.assertEqual(mention["Message"], content)
        [(url, reply_status, reply)] = demo.replies
        self.assertEqual(url, mention["InboundHttpsEndpoint"]["Url"])
        self.assertEqual(reply_status, 200, reply)
        self.assertEqual(reply["RoomId"], rid)

        status, listed = self.control("GET", "/_chimed/accounts/%s/rooms/%s/messages" % (aid, rid))
        self.assertEqual(status, 200, listed)
        msgs = listed["Messages"]
        self.assertEqual([(m["Sender"]["Type"], m["Sender"]["Id"]) for m in msgs],
                         [("User", jane["UserId"]), ("Bot", bid)])
        self.assertEqual(msgs[0]["Content"], content)
        self.assertEqual(msgs[1]["MessageId"], reply["MessageId"])
        self.assertEqual(msgs[1]["Sender"].get("Name"), "StatusBot (Bot)")
        self.assertEqual(msgs[1]["Content"], "Status: all systems go (you said: %s)" % content)
        self.assertEqual([m["Redacted"] for m in msgs], [False, False])
        # a mention in other words does not reach the bot (not followed by a letter, digit, -, _ or @)
        self.control("POST", "/_chimed/accounts/%s/rooms/%s/messages" % (aid, rid),
                     {"SenderId": jane["UserId"], "Content": "@%sx hello" % email})

        # The outbox: challenge, Invite, Mention, each Delivered with the signature the bot checked.
        events = self.settled_bot_events(bid, 3)
        self.assertEqual([(e["EventType"], e["Status"]) for e in events],
                         [("HTTPSEndpointVerification", "Delivered"), ("Invite", "Delivered"),
                          ("Mention", "Delivered")])
        for ev, received in zip(events[1:], (invite, mention)):
            self.assertEqual(json.loads(ev["Body"]), {k: v for k, v in received.items() if k != "_timestamp"})
            last = ev["Attempts"][-1]
            self.assertEqual(last["StatusCode"], 200)
            self.assertEqual(last["ChimeRequestTimestamp"], received["_timestamp"])
            self.assertEqual(last["ChimeSignature"], sign(bot["SecurityToken"], last["ChimeRequestTimestamp"],
                                                          ev["Body"].encode()))
        self.assertEqual(demo.rejected, [])

        # Administrators redact the bot's message: it keeps its place, without content.
        redact = self.chime.redact_room_message(AccountId=aid, RoomId=rid, MessageId=reply["MessageId"])
        self.assertMeta(redact, 200)
        self.assertMeta(self.chime.redact_room_message(AccountId=aid, RoomId=rid, MessageId=reply["MessageId"]), 200)
        self.assertNotFound(self.chime.redact_room_message, AccountId=aid, RoomId=rid, MessageId=str(uuid.uuid4()))
        msgs = self.control("GET", "/_chimed/accounts/%s/rooms/%s/messages" % (aid, rid))[1]["Messages"]
        self.assertEqual(msgs[1]["MessageId"], reply["MessageId"])
        self.assertTrue(msgs[1]["Redacted"])
        self.assertNotIn("Content", msgs[1])
        self.assertIn("RedactedTimestamp", msgs[1])

        # Removing the bot sends Remove (no reply URL) and kills its Invite URL.
        self.assertMeta(self.chime.delete_room_membership(AccountId=aid, RoomId=rid, MemberId=bid), 204)
        self.assertTrue(demo.wait_for(lambda d: d.events_of("Remove")), "no Remove reached the bot")
        [remove] = demo.events_of("Remove")
        self.assertEqual(remove["Sender"], {"SenderId": self.caller_arn(), "SenderIdType": "IamArn"})
        self.assertEqual(remove["Discussion"], {"DiscussionId": rid, "DiscussionType": "Room"})
        self.assertNotIn("InboundHttpsEndpoint", remove)
        self.assertEqual(post_json(invite["InboundHttpsEndpoint"]["Url"], {"Content": "still here?"})[0], 404)
        self.assertEqual([e["EventType"] for e in demo.events], ["Invite", "Mention", "Remove"])
        self.assertEqual([(e["EventType"], e["Status"]) for e in self.settled_bot_events(bid, 4)][-1],
                         ("Remove", "Delivered"))

    def test_regenerated_token_signs_at_once(self):
        aid = self.enterprise_account()
        bot, demo = self.configured_bot(aid)
        rid = self.room(aid)["RoomId"]
        new = self.chime.regenerate_security_token(AccountId=aid, BotId=bot["BotId"])["Bot"]["SecurityToken"]
        # the bot still holds the old token: it refuses the Invite (401, not retried) -> Failed
        self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=bot["BotId"])
        self.assertTrue(demo.wait_for(lambda d: d.rejected))
        self.assertEqual(demo.rejected[0][0], "bad signature")
        ev = self.settled_bot_events(bot["BotId"], 2)[-1]
        self.assertEqual((ev["EventType"], ev["Status"], [a.get("StatusCode") for a in ev["Attempts"]]),
                         ("Invite", "Failed", [401]))
        self.assertEqual(ev["Attempts"][0]["ChimeSignature"],
                         sign(new, ev["Attempts"][0]["ChimeRequestTimestamp"], ev["Body"].encode()))
        # with the new token configured, the next event is accepted
        demo.token = new
        self.chime.delete_room_membership(AccountId=aid, RoomId=rid, MemberId=bot["BotId"])
        self.assertTrue(demo.wait_for(lambda d: d.events_of("Remove")))

    def test_disabled_bot_gets_no_events(self):
        aid = self.enterprise_account()
        user = self.user(aid)
        bot, demo = self.configured_bot(aid)
        rid = self.room(aid)["RoomId"]
        self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=user["UserId"])
        self.chime.create_room_membership(AccountId=aid, RoomId=rid, MemberId=bot["BotId"])
        self.assertTrue(demo.wait_for(lambda d: d.events_of("Invite")))
        self.chime.update_bot(AccountId=aid, BotId=bot["BotId"], Disabled=True)
        status, _ = self.control("POST", "/_chimed/accounts/%s/rooms/%s/messages" % (aid, rid),
                                 {"SenderId": user["UserId"], "Content": "@%s hello?" % bot["BotEmail"]})
        self.assertEqual(status, 201)
        self.chime.delete_room_membership(AccountId=aid, RoomId=rid, MemberId=bot["BotId"])
        self.assertEqual([e["EventType"] for e in self.bot_events(bot["BotId"])],
                         ["HTTPSEndpointVerification", "Invite"])


if __name__ == "__main__":
    unittest.main()
