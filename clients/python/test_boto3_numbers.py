"""Conformance suite, phone numbers: boto3 against chimed (docs/behavior.md §2, §3.5–§3.7, §4.22, §4.26–§4.30, D19–D29,
D46). The 12 operations CreatePhoneNumberOrder … DisassociatePhoneNumberFromUser.

Run:  python3 -m unittest -v test_boto3_numbers   (in clients/python; CHIMED_BIN as for test_boto3)

Two servers of this module's own, started like test_boto3's (class ChimedServer, CHIMED_AUTH_MODE):
  * NUMBERS: default delays (orders complete and calling names apply at once: the request after the one that
    scheduled a transition already sees it);
  * a clock server (ClockedNumberTests): --allow-clock-control --order-delay 1h --calling-name-delay 1h
    --phone-number-limit 5, where time is moved with PUT /_chimed/clock; it also runs numbers_lifecycle.py,
    the "done when" story, as a script.
Every test acts in an AWS account of its own (inventory, orders and limits are per AWS account); numbers are taken
from search results, since a number once acquired on a server is never offered again.
"""

import datetime
import os
import subprocess
import sys
import unittest
import uuid

import botocore.exceptions

from test_boto3 import HERE, RUN, UUID_RE, ChimedServer, ChimeTestCase

NUMBERS = None
CAPABILITIES = {"InboundCall": True, "OutboundCall": True, "InboundSMS": True, "OutboundSMS": True,
                "InboundMMS": True, "OutboundMMS": True}
_accounts = iter(range(1000))


def fresh_aws_account():
    """A 12-digit AWS account id used by one test only."""
    return "7%02d%09d" % (int(RUN[:2], 16) % 100, next(_accounts))


def setUpModule():
    global NUMBERS
    NUMBERS = ChimedServer().start()


def tearDownModule():
    if NUMBERS:
        NUMBERS.cleanup()


class NumberTestCase(ChimeTestCase):
    """Each test gets self.chime acting in an AWS account of its own on self.server."""

    @classmethod
    def setUpClass(cls):
        cls.server = NUMBERS

    def setUp(self):
        self.aws_account = fresh_aws_account()
        self.chime = self.server.client(self.aws_account)
        self.exc = self.chime.exceptions

    # fixtures --------------------------------------------------------------------------------------------------

    def search(self, n, **filters):
        filters = filters or {"AreaCode": "206"}
        found = self.chime.search_available_phone_numbers(MaxResults=n, **filters)["E164PhoneNumbers"]
        self.assertEqual(len(found), n, found)
        return found

    def order(self, numbers, product="BusinessCalling", client=None):
        resp = (client or self.chime).create_phone_number_order(ProductType=product, E164PhoneNumbers=numbers)
        self.assertMeta(resp, 201)
        return resp["PhoneNumberOrder"]

    def acquire(self, n=1, product="BusinessCalling", **filters):
        """n numbers from search, ordered and (default order delay 0) acquired; returns their E.164 forms."""
        numbers = self.search(n, **filters)
        self.order(numbers, product)
        return numbers

    def number(self, number_id):
        resp = self.chime.get_phone_number(PhoneNumberId=number_id)
        self.assertMeta(resp, 200)
        return resp["PhoneNumber"]

    def account_with_user(self):
        a = self.new_account()
        address = self.email("pn")
        self.chime.invite_users(AccountId=a["AccountId"], UserEmailList=[address])
        return a["AccountId"], self.user_by_email(a["AccountId"], address)["UserId"]

    def assertNumberError(self, name, code, status, fn, **kwargs):
        return self.assertChimeError(name, code, status, fn, **kwargs)

    def assertAssociationsExist(self, fn, **kwargs):
        return self.assertChimeError("BadRequestException", "PhoneNumberAssociationsExist", 400, fn, **kwargs)

    def item_errors(self, resp):
        self.assertMeta(resp, 200)
        return [(e["PhoneNumberId"], e["ErrorCode"]) for e in resp["PhoneNumberErrors"]]


# ==============================================================================================================
# Orders
# ==============================================================================================================


class OrderTests(NumberTestCase):

    def test_create_get_list_phone_number_orders(self):
        two = self.search(2, AreaCode="212")
        # +12125550099 lies below the pool's 0100 start: that line always fails (D23)
        order = self.order(two + ["+12125550099"])
        self.assertRegex(order["PhoneNumberOrderId"], UUID_RE)
        self.assertEqual(order["ProductType"], "BusinessCalling")
        self.assertEqual(order["Status"], "Processing")
        self.assertEqual(order["OrderedPhoneNumbers"],
                         [{"E164PhoneNumber": n, "Status": "Processing"} for n in two + ["+12125550099"]])
        self.assertRecent(order["CreatedTimestamp"])
        self.assertEqual(set(order), {"PhoneNumberOrderId", "ProductType", "Status", "OrderedPhoneNumbers",
                                      "CreatedTimestamp", "UpdatedTimestamp"})

        got = self.chime.get_phone_number_order(PhoneNumberOrderId=order["PhoneNumberOrderId"])
        self.assertMeta(got, 200)
        got = got["PhoneNumberOrder"]
        self.assertEqual(got["Status"], "Partial")
        self.assertEqual([(l["E164PhoneNumber"], l["Status"]) for l in got["OrderedPhoneNumbers"]],
                         [(two[0], "Acquired"), (two[1], "Acquired"), ("+12125550099", "Failed")])
        self.assertEqual(got["CreatedTimestamp"], order["CreatedTimestamp"])
        self.assertIsInstance(got["UpdatedTimestamp"], datetime.datetime)

        # a second order: one number already taken (by this account), one free -> Partial; a third: all taken
        again = self.search(1, AreaCode="212")
        second = self.order([two[0]] + again, "VoiceConnector")
        third = self.order(again)
        self.assertEqual(self.chime.get_phone_number_order(
            PhoneNumberOrderId=second["PhoneNumberOrderId"])["PhoneNumberOrder"]["Status"], "Partial")
        self.assertEqual(self.chime.get_phone_number_order(
            PhoneNumberOrderId=third["PhoneNumberOrderId"])["PhoneNumberOrder"]["Status"], "Failed")
        fourth = self.order(self.search(2, AreaCode="212"))
        self.assertEqual(self.chime.get_phone_number_order(
            PhoneNumberOrderId=fourth["PhoneNumberOrderId"])["PhoneNumberOrder"]["Status"], "Successful")

        listed = self.chime.list_phone_number_orders()
        self.assertMeta(listed, 200)
        ids = [o["PhoneNumberOrderId"] for o in listed["PhoneNumberOrders"]]
        want = [o["PhoneNumberOrderId"] for o in (order, second, third, fourth)]
        self.assertEqual(ids, want)  # CreatedTimestamp order
        self.assertNotIn("NextToken", listed)
        paged, token = [], None
        while True:
            kw = {"NextToken": token} if token else {}
            page = self.chime.list_phone_number_orders(MaxResults=1, **kw)
            self.assertLessEqual(len(page["PhoneNumberOrders"]), 1)
            paged += [o["PhoneNumberOrderId"] for o in page["PhoneNumberOrders"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(paged, want)
        # orders belong to the AWS account
        other = self.server.client(fresh_aws_account())
        self.assertEqual(other.list_phone_number_orders()["PhoneNumberOrders"], [])
        self.assertNotFound(other.get_phone_number_order, PhoneNumberOrderId=order["PhoneNumberOrderId"])

    def test_order_errors(self):
        free = self.search(2, AreaCode="213")
        for kw in [dict(ProductType="BusinessCalling", E164PhoneNumbers=[]),
                   dict(ProductType="Nope", E164PhoneNumbers=free[:1]),
                   dict(ProductType="BusinessCalling", E164PhoneNumbers=[free[0], free[0]]),
                   dict(ProductType="BusinessCalling", E164PhoneNumbers=["+0123"]),
                   dict(ProductType="BusinessCalling", E164PhoneNumbers=self.search(1, TollFreePrefix="800")),
                   dict(ProductType="VoiceConnector", E164PhoneNumbers=self.search(1, Country="GB",
                                                                                  PhoneNumberType="Local")),
                   dict(ProductType="VoiceConnector", E164PhoneNumbers=["+1213555%04d" % n for n in range(101)])]:
            with self.subTest(kw=str(kw)[:80]):
                self.assertBadRequest(self.chime.create_phone_number_order, **kw)
        self.assertEqual(self.chime.list_phone_number_orders()["PhoneNumberOrders"], [])  # nothing was ordered
        self.assertEqual(self.search(2, AreaCode="213"), free)  # nor reserved
        # non-US numbers need SipMediaApplicationDialIn
        gb = self.search(1, Country="GB", PhoneNumberType="Local")
        self.order(gb, "SipMediaApplicationDialIn")
        self.assertEqual(self.number(gb[0])["Country"], "GB")

        self.assertNotFound(self.chime.get_phone_number_order, PhoneNumberOrderId=str(uuid.uuid4()))
        # the documented example's ID has g, h, i, j in it: not a GUID
        self.assertBadRequest(self.chime.get_phone_number_order,
                              PhoneNumberOrderId="abc12345-de67-89f0-123g-h45i678j9012")
        self.assertBadRequest(self.chime.list_phone_number_orders, MaxResults=100)
        self.assertBadRequest(self.chime.list_phone_number_orders, NextToken="garbage")


# ==============================================================================================================
# The inventory: Get / List / Update / BatchUpdate
# ==============================================================================================================


class InventoryTests(NumberTestCase):

    def test_get_phone_number_shape_and_id_forms(self):
        (e164,) = self.acquire(1, "VoiceConnector", AreaCode="312")
        digits = e164[1:]
        pn = self.number(e164)
        self.assertRecent(pn.pop("CreatedTimestamp"))
        self.assertRecent(pn.pop("UpdatedTimestamp"))
        self.assertEqual(pn, {"PhoneNumberId": "%2B" + digits, "E164PhoneNumber": e164, "Country": "US",
                              "Type": "Local", "ProductType": "VoiceConnector", "Status": "Unassigned",
                              "Capabilities": CAPABILITIES, "Associations": [], "CallingNameStatus": "Unassigned"})
        # the ID the service returns ("%2B…", sent as /phone-numbers/%252B…), "+…" (sent as %2B…), %2b…, bare digits
        for form in ("%2B" + digits, e164, "%2b" + digits, digits):
            with self.subTest(form=form):
                self.assertEqual(self.number(form)["E164PhoneNumber"], e164)
        for bad in ("+" + digits[:-1] + "9" * 1, "abc", "%2B%2B" + digits, "+" + digits + "0"):
            with self.subTest(bad=bad):
                self.assertNotFound(self.chime.get_phone_number, PhoneNumberId=bad)
        # the inventory belongs to the AWS account
        self.assertNotFound(self.server.client(fresh_aws_account()).get_phone_number, PhoneNumberId=e164)
        # toll-free numbers
        (tf,) = self.acquire(1, "VoiceConnector", TollFreePrefix="833")
        self.assertEqual(self.number(tf)["Type"], "TollFree")

    def test_list_phone_numbers_filters_and_paging(self):
        bc = self.acquire(2, AreaCode="303")
        vc = self.acquire(1, "VoiceConnector", AreaCode="303")
        resp = self.chime.list_phone_numbers()
        self.assertMeta(resp, 200)
        self.assertEqual([p["E164PhoneNumber"] for p in resp["PhoneNumbers"]], sorted(bc + vc))
        self.assertEqual([p["PhoneNumberId"] for p in resp["PhoneNumbers"]], ["%2B" + n[1:] for n in sorted(bc + vc)])
        self.assertNotIn("NextToken", resp)
        self.assertEqual([p["E164PhoneNumber"] for p in
                          self.chime.list_phone_numbers(ProductType="VoiceConnector")["PhoneNumbers"]], vc)
        self.assertEqual(len(self.chime.list_phone_numbers(Status="Unassigned")["PhoneNumbers"]), 3)
        self.assertEqual(self.chime.list_phone_numbers(Status="Assigned")["PhoneNumbers"], [])
        # a user's number: FilterName UserId / AccountId
        account_id, user_id = self.account_with_user()
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=bc[1])
        for name, value in (("UserId", user_id), ("AccountId", account_id)):
            got = self.chime.list_phone_numbers(FilterName=name, FilterValue=value)["PhoneNumbers"]
            self.assertEqual([p["E164PhoneNumber"] for p in got], [bc[1]], name)
        self.assertEqual(self.chime.list_phone_numbers(FilterName="UserId", FilterValue=str(uuid.uuid4()))[
            "PhoneNumbers"], [])
        self.assertEqual(self.chime.list_phone_numbers(FilterName="VoiceConnectorId", FilterValue="abc")[
            "PhoneNumbers"], [])
        self.assertEqual([p["E164PhoneNumber"] for p in self.chime.list_phone_numbers(
            Status="Assigned", ProductType="BusinessCalling")["PhoneNumbers"]], [bc[1]])
        # pages of one
        seen, token = [], None
        while True:
            page = self.chime.list_phone_numbers(MaxResults=1, **({"NextToken": token} if token else {}))
            seen += [p["E164PhoneNumber"] for p in page["PhoneNumbers"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, sorted(bc + vc))
        for kw in (dict(Status="Bogus"), dict(ProductType="Nope"), dict(FilterName="AccountId"),
                   dict(FilterValue="x"), dict(FilterName="Bogus", FilterValue="x"), dict(MaxResults=100),
                   dict(NextToken="garbage")):
            with self.subTest(kw=kw):
                self.assertBadRequest(self.chime.list_phone_numbers, **kw)

    def test_update_phone_number(self):
        (e164,) = self.acquire(1, "VoiceConnector", AreaCode="404")
        number_id = self.number(e164)["PhoneNumberId"]
        resp = self.chime.update_phone_number(PhoneNumberId=number_id, ProductType="BusinessCalling")
        self.assertMeta(resp, 200)
        pn = resp["PhoneNumber"]
        self.assertEqual((pn["PhoneNumberId"], pn["ProductType"], pn["Status"]),
                         (number_id, "BusinessCalling", "Unassigned"))
        self.assertEqual(self.chime.update_phone_number(PhoneNumberId=e164, ProductType="BusinessCalling")[
            "PhoneNumber"]["ProductType"], "BusinessCalling")  # same type: unchanged, 200
        # a calling name shows at once; with no delay the next read shows UpdateSucceeded (the status in the
        # response itself: test_calling_name_status_in_the_update_response)
        pn = self.chime.update_phone_number(PhoneNumberId=number_id, CallingName="phonenumber1")["PhoneNumber"]
        self.assertEqual(pn["CallingName"], "phonenumber1")
        pn = self.number(number_id)
        self.assertEqual((pn["CallingName"], pn["CallingNameStatus"]), ("phonenumber1", "UpdateSucceeded"))
        # "" clears it: Unassigned again, no CallingName
        self.chime.update_phone_number(PhoneNumberId=number_id, CallingName="")
        pn = self.number(number_id)
        self.assertEqual(pn["CallingNameStatus"], "Unassigned")
        self.assertFalse(pn.get("CallingName"), pn)

        for kw in (dict(), dict(ProductType="VoiceConnector", CallingName="ab"), dict(CallingName="a-b"),
                   dict(CallingName="x" * 16), dict(ProductType="Nope")):
            with self.subTest(kw=kw):
                self.assertBadRequest(self.chime.update_phone_number, PhoneNumberId=number_id, **kw)
        self.assertNotFound(self.chime.update_phone_number, PhoneNumberId="+19995550100", CallingName="ab")
        (tf,) = self.acquire(1, "VoiceConnector", TollFreePrefix="844")
        self.assertBadRequest(self.chime.update_phone_number, PhoneNumberId=tf, ProductType="BusinessCalling")
        # leaving BusinessCalling while assigned
        account_id, user_id = self.account_with_user()
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=e164)
        self.assertAssociationsExist(self.chime.update_phone_number, PhoneNumberId=number_id,
                                     ProductType="VoiceConnector")
        self.assertEqual(self.number(number_id)["ProductType"], "BusinessCalling")

    def test_calling_name_status_in_the_update_response(self):
        """D19: "the response of the request that schedules [a transition] shows the state before it", zero delay
        included; §4.29: the new name "shows at once with UpdateInProgress" (--calling-name-delay 0 here)."""
        (e164,) = self.acquire(1, AreaCode="405")
        pn = self.chime.update_phone_number(PhoneNumberId=e164, CallingName="phonenumber1")["PhoneNumber"]
        self.assertEqual((pn["CallingName"], pn["CallingNameStatus"]), ("phonenumber1", "UpdateInProgress"))

    def test_batch_update_phone_number(self):
        a, b, c, d = self.acquire(4, "VoiceConnector", AreaCode="617")
        ids = [self.number(n)["PhoneNumberId"] for n in (a, b)]
        # the documented example: %2B… ids in the body, full success -> []
        resp = self.chime.batch_update_phone_number(UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": ids[0], "ProductType": "BusinessCalling"},
            {"PhoneNumberId": ids[1], "ProductType": "BusinessCalling"}])
        self.assertEqual(self.item_errors(resp), [])
        self.assertEqual([self.number(i)["ProductType"] for i in ids], ["BusinessCalling"] * 2)
        resp = self.chime.batch_update_phone_number(UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": ids[0], "CallingName": "phonenumber1"},
            {"PhoneNumberId": b, "CallingName": "phonenumber2"}])
        self.assertEqual(self.item_errors(resp), [])
        self.assertEqual([self.number(i)["CallingName"] for i in ids], ["phonenumber1", "phonenumber2"])

        account_id, user_id = self.account_with_user()
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=a)
        missing = "%2B19995550100"
        resp = self.chime.batch_update_phone_number(UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": missing, "CallingName": "abc"},                      # unknown
            {"PhoneNumberId": ids[0], "ProductType": "VoiceConnector"},             # assigned, leaves BusinessCalling
            {"PhoneNumberId": d[1:], "ProductType": "VoiceConnector", "CallingName": "ab"},  # both attributes
            {"PhoneNumberId": "%2b" + c[1:], "CallingName": "Gamma"},             # fine (lower-case %2b form)
            {"PhoneNumberId": "%2B" + c[1:], "CallingName": "Delta"},             # a repeat: ignored
        ])
        # errors echo the IDs as sent
        self.assertEqual(self.item_errors(resp), [(missing, "NotFound"), (ids[0], "PhoneNumberAssociationsExist"),
                                                  (d[1:], "BadRequest")])
        self.assertTrue(all(e["ErrorMessage"] for e in resp["PhoneNumberErrors"]))
        self.assertEqual(self.number(c)["CallingName"], "Gamma")
        self.assertEqual(self.number(a)["ProductType"], "BusinessCalling")
        self.assertNotIn("CallingName", self.number(d))

        # whole-request refusals
        self.assertBadRequest(self.chime.batch_update_phone_number, UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": ids[0], "CallingName": "a-b"}])
        self.assertBadRequest(self.chime.batch_update_phone_number, UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": b, "CallingName": "ab%d" % i} for i in range(51)])
        self.assertBadRequest(self.chime.batch_update_phone_number, UpdatePhoneNumberRequestItems=[])
        with self.assertRaises(botocore.exceptions.ParamValidationError):  # PhoneNumberId is required
            self.chime.batch_update_phone_number(UpdatePhoneNumberRequestItems=[{"CallingName": "ab"}])


# ==============================================================================================================
# Delete / BatchDelete / Restore
# ==============================================================================================================


class DeletionTests(NumberTestCase):

    def test_delete_and_restore(self):
        (e164,) = self.acquire(1, AreaCode="702")
        number_id = self.number(e164)["PhoneNumberId"]
        self.chime.update_phone_number(PhoneNumberId=number_id, CallingName="Kept Name")
        resp = self.chime.delete_phone_number(PhoneNumberId=number_id)
        self.assertMeta(resp, 204)
        self.assertEqual(set(resp), {"ResponseMetadata"})
        pn = self.number(number_id)
        self.assertEqual(pn["Status"], "DeleteInProgress")
        self.assertRecent(pn["DeletionTimestamp"])
        self.assertEqual(pn["DeletionTimestamp"], pn["UpdatedTimestamp"])
        self.assertEqual(pn["CallingName"], "Kept Name")
        # queued numbers are listed, and deleting again is a 204 no-op
        self.assertEqual([p["E164PhoneNumber"] for p in self.chime.list_phone_numbers(
            Status="DeleteInProgress")["PhoneNumbers"]], [e164])
        self.assertMeta(self.chime.delete_phone_number(PhoneNumberId=e164), 204)
        self.assertEqual(self.number(number_id)["DeletionTimestamp"], pn["DeletionTimestamp"])
        # a queued number cannot be updated or associated
        self.assertBadRequest(self.chime.update_phone_number, PhoneNumberId=number_id, CallingName="ab")
        account_id, user_id = self.account_with_user()
        self.assertBadRequest(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=user_id,
                              E164PhoneNumber=e164)

        resp = self.chime.restore_phone_number(PhoneNumberId=number_id)
        self.assertMeta(resp, 200)
        pn = resp["PhoneNumber"]
        self.assertEqual((pn["PhoneNumberId"], pn["Status"], pn["Associations"]), (number_id, "Unassigned", []))
        self.assertNotIn("DeletionTimestamp", pn)
        self.assertEqual(pn["Capabilities"], CAPABILITIES)
        self.assertEqual(self.number(e164)["Status"], "Unassigned")

        self.assertBadRequest(self.chime.restore_phone_number, PhoneNumberId=number_id)  # not queued
        self.assertNotFound(self.chime.restore_phone_number, PhoneNumberId="+19995550100")
        self.assertNotFound(self.chime.delete_phone_number, PhoneNumberId="+19995550100")
        self.assertNotFound(self.server.client(fresh_aws_account()).delete_phone_number, PhoneNumberId=number_id)
        # an assigned number must be disassociated first
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=e164)
        self.assertAssociationsExist(self.chime.delete_phone_number, PhoneNumberId=number_id)
        self.assertEqual(self.number(e164)["Status"], "Assigned")

    def test_batch_delete_phone_number(self):
        a, b, c, d = self.acquire(4, AreaCode="718")
        ids = ["%2B" + n[1:] for n in (a, b)]
        resp = self.chime.batch_delete_phone_number(PhoneNumberIds=ids)  # the documented example's form
        self.assertEqual(self.item_errors(resp), [])
        self.assertEqual([self.number(n)["Status"] for n in (a, b)], ["DeleteInProgress"] * 2)

        account_id, user_id = self.account_with_user()
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=c)
        resp = self.chime.batch_delete_phone_number(PhoneNumberIds=[
            "%2B19995550100", c, d[1:], "+" + d[1:], ids[0], "junk"])
        self.assertEqual(self.item_errors(resp), [("%2B19995550100", "NotFound"), (c, "PhoneNumberAssociationsExist"),
                                                  ("junk", "NotFound")])
        self.assertEqual([self.number(n)["Status"] for n in (a, c, d)],
                         ["DeleteInProgress", "Assigned", "DeleteInProgress"])

        self.assertBadRequest(self.chime.batch_delete_phone_number, PhoneNumberIds=[c] * 51)
        with self.assertRaises(botocore.exceptions.ParamValidationError):  # min 1, checked by botocore
            self.chime.batch_delete_phone_number(PhoneNumberIds=[])


# ==============================================================================================================
# Users' numbers: Associate / Disassociate, PrimaryProvisionedNumber
# ==============================================================================================================


class UserNumberTests(NumberTestCase):

    def test_associate_and_disassociate(self):
        first, second = self.acquire(2, AreaCode="801")
        account_id, user_id = self.account_with_user()
        resp = self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id,
                                                           E164PhoneNumber=first)
        self.assertMeta(resp, 200)
        self.assertEqual(set(resp), {"ResponseMetadata"})  # {}
        user = self.chime.get_user(AccountId=account_id, UserId=user_id)["User"]
        self.assertEqual(user["PrimaryProvisionedNumber"], first)
        pn = self.number(first)
        self.assertEqual(pn["Status"], "Assigned")
        assoc = {a["Name"]: a for a in pn["Associations"]}
        self.assertEqual(set(assoc), {"AccountId", "UserId"})
        self.assertEqual((assoc["AccountId"]["Value"], assoc["UserId"]["Value"]), (account_id, user_id))
        self.assertEqual(assoc["AccountId"]["AssociatedTimestamp"], assoc["UserId"]["AssociatedTimestamp"])
        self.assertRecent(assoc["UserId"]["AssociatedTimestamp"])
        self.assertEqual(pn["UpdatedTimestamp"], assoc["UserId"]["AssociatedTimestamp"])
        listed = {u["UserId"]: u for u in self.chime.list_users(AccountId=account_id)["Users"]}
        self.assertEqual(listed[user_id].get("PrimaryProvisionedNumber"), first)

        # without "+" the number is normalised; the same user again: a 200 no-op
        self.assertMeta(self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id,
                                                                    E164PhoneNumber=first[1:]), 200)
        # another user of the account may not take it; this user may not take a second one
        address = self.email("pn2")
        self.chime.invite_users(AccountId=account_id, UserEmailList=[address])
        other_user = self.user_by_email(account_id, address)["UserId"]
        self.assertAssociationsExist(self.chime.associate_phone_number_with_user, AccountId=account_id,
                                     UserId=other_user, E164PhoneNumber=first)
        self.assertBadRequest(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=user_id,
                              E164PhoneNumber=second)
        # refusals in §5.1 order
        self.assertBadRequest(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=other_user,
                              E164PhoneNumber="12-34")
        self.assertNotFound(self.chime.associate_phone_number_with_user, AccountId=str(uuid.uuid4()),
                            UserId=other_user, E164PhoneNumber=second)
        self.assertNotFound(self.chime.associate_phone_number_with_user, AccountId=account_id,
                            UserId=str(uuid.uuid4()), E164PhoneNumber=second)
        self.assertNotFound(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=other_user,
                            E164PhoneNumber="+19995550100")  # never ordered
        (vc,) = self.acquire(1, "VoiceConnector", AreaCode="801")
        self.assertBadRequest(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=other_user,
                              E164PhoneNumber=vc)
        # another AWS account's number is not in this inventory
        theirs = self.server.client(fresh_aws_account())
        foreign = self.search(1, AreaCode="801")
        self.order(foreign, client=theirs)
        self.assertNotFound(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=other_user,
                            E164PhoneNumber=foreign[0])

        resp = self.chime.disassociate_phone_number_from_user(AccountId=account_id, UserId=user_id)
        self.assertMeta(resp, 200)
        self.assertEqual(set(resp), {"ResponseMetadata"})
        self.assertNotIn("PrimaryProvisionedNumber",
                         self.chime.get_user(AccountId=account_id, UserId=user_id)["User"])
        pn = self.number(first)
        self.assertEqual((pn["Status"], pn["Associations"]), ("Unassigned", []))
        self.assertMeta(self.chime.disassociate_phone_number_from_user(AccountId=account_id, UserId=user_id), 200)
        self.assertNotFound(self.chime.disassociate_phone_number_from_user, AccountId=account_id,
                            UserId=str(uuid.uuid4()))
        self.assertNotFound(self.chime.disassociate_phone_number_from_user, AccountId=str(uuid.uuid4()),
                            UserId=user_id)
        # now the other user may have it
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=other_user, E164PhoneNumber=first)
        self.assertEqual(self.chime.get_user(AccountId=account_id, UserId=other_user)["User"][
            "PrimaryProvisionedNumber"], first)

    def test_removing_the_user_frees_the_number(self):
        (e164,) = self.acquire(1, AreaCode="802")
        account_id, user_id = self.account_with_user()
        self.chime.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=e164)
        self.chime.batch_suspend_user(AccountId=account_id, UserIdList=[user_id])  # removes a Team user
        pn = self.number(e164)
        self.assertEqual((pn["Status"], pn["Associations"]), ("Unassigned", []))


# ==============================================================================================================
# Time: a server with --allow-clock-control and delays (D19, D23, D25, D27, D24)
# ==============================================================================================================


class ClockedNumberTests(NumberTestCase):
    """--order-delay 1h --calling-name-delay 1h --phone-number-limit 5; deletion queue 168 h (default)."""

    @classmethod
    def setUpClass(cls):
        cls.server = ChimedServer(extra_args=["--allow-clock-control", "--order-delay", "1h",
                                              "--calling-name-delay", "1h", "--phone-number-limit", "5"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def advance(self, seconds):
        status, body = self.server.control("GET", "/_chimed/clock", aws_account_id=self.aws_account)
        self.assertEqual(status, 200, body)
        status, body = self.server.control("PUT", "/_chimed/clock", {"OffsetSeconds": body["OffsetSeconds"] + seconds},
                                           aws_account_id=self.aws_account)
        self.assertEqual(status, 200, body)

    def test_numbers_lifecycle_script(self):
        """THE "done when" story (numbers_lifecycle.py), run as a script against this server."""
        key, secret = self.server.credentials(self.aws_account)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(k, None)
        p = subprocess.run([sys.executable, os.path.join(HERE, "numbers_lifecycle.py"), "--endpoint-url",
                            self.server.endpoint, "--order-delay", "1", "--calling-name-delay", "1"],
                           env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("purged: GetPhoneNumber NotFound, not listed, not offered by search", p.stdout)

    def test_order_processing_then_acquired(self):
        numbers = self.search(2, AreaCode="206")
        order = self.order(numbers + ["+12065550099"])
        oid = order["PhoneNumberOrderId"]
        got = self.chime.get_phone_number_order(PhoneNumberOrderId=oid)["PhoneNumberOrder"]
        self.assertEqual(got["Status"], "Processing")
        self.assertEqual({l["Status"] for l in got["OrderedPhoneNumbers"]}, {"Processing"})
        self.assertEqual([p["Status"] for p in self.chime.list_phone_numbers()["PhoneNumbers"]],
                         ["AcquireInProgress"] * 2)
        # numbers of a pending order are reserved: not offered, and not orderable by anyone else
        self.assertNotIn(numbers[0], self.search(5, AreaCode="206"))
        self.assertBadRequest(self.chime.delete_phone_number, PhoneNumberId=numbers[0])
        self.assertBadRequest(self.chime.update_phone_number, PhoneNumberId=numbers[0], CallingName="ab")
        resp = self.chime.batch_delete_phone_number(PhoneNumberIds=[numbers[0]])
        self.assertEqual(self.item_errors(resp), [(numbers[0], "BadRequest")])
        account_id, user_id = self.account_with_user()
        self.assertBadRequest(self.chime.associate_phone_number_with_user, AccountId=account_id, UserId=user_id,
                              E164PhoneNumber=numbers[0])
        self.advance(3600)
        got = self.chime.get_phone_number_order(PhoneNumberOrderId=oid)["PhoneNumberOrder"]
        self.assertEqual(got["Status"], "Partial")
        self.assertEqual([l["Status"] for l in got["OrderedPhoneNumbers"]], ["Acquired", "Acquired", "Failed"])
        self.assertGreaterEqual((got["UpdatedTimestamp"] - got["CreatedTimestamp"]).total_seconds(), 3600)
        self.assertEqual([p["Status"] for p in self.chime.list_phone_numbers()["PhoneNumbers"]], ["Unassigned"] * 2)

    def test_calling_name_conflict_while_pending(self):
        numbers = self.search(2, AreaCode="207")
        self.order(numbers)
        self.advance(3600)
        a, b = numbers
        self.chime.update_phone_number(PhoneNumberId=a, CallingName="First Name")
        self.assertChimeError("ConflictException", "Conflict", 409, self.chime.update_phone_number,
                              PhoneNumberId=a, CallingName="Second Name")
        self.assertChimeError("ConflictException", "Conflict", 409, self.chime.update_phone_number,
                              PhoneNumberId=a, CallingName="")
        # a product-type change is no calling-name change
        self.assertEqual(self.chime.update_phone_number(PhoneNumberId=a, ProductType="BusinessCalling")[
            "PhoneNumber"]["CallingNameStatus"], "UpdateInProgress")
        resp = self.chime.batch_update_phone_number(UpdatePhoneNumberRequestItems=[
            {"PhoneNumberId": a, "CallingName": "Third"}, {"PhoneNumberId": b, "CallingName": "Other"}])
        self.assertEqual(self.item_errors(resp), [(a, "Conflict")])
        pn = self.number(a)
        self.assertEqual((pn["CallingName"], pn["CallingNameStatus"]), ("First Name", "UpdateInProgress"))
        self.advance(3600 - 30)
        self.assertEqual(self.number(a)["CallingNameStatus"], "UpdateInProgress")
        self.advance(30)
        self.assertEqual([self.number(n)["CallingNameStatus"] for n in numbers], ["UpdateSucceeded"] * 2)
        # clearing: UpdateInProgress, then Unassigned
        pn = self.chime.update_phone_number(PhoneNumberId=a, CallingName="")["PhoneNumber"]
        self.assertEqual(pn["CallingNameStatus"], "UpdateInProgress")
        self.advance(3600)
        self.assertEqual(self.number(a)["CallingNameStatus"], "Unassigned")

    def test_inventory_limit(self):
        numbers = self.search(6, AreaCode="208")
        self.assertChimeError("ResourceLimitExceededException", "ResourceLimitExceeded", 400,
                              self.chime.create_phone_number_order, ProductType="BusinessCalling",
                              E164PhoneNumbers=numbers)
        self.order(numbers[:4])  # pending numbers count
        self.assertChimeError("ResourceLimitExceededException", "ResourceLimitExceeded", 400,
                              self.chime.create_phone_number_order, ProductType="BusinessCalling",
                              E164PhoneNumbers=numbers[4:])
        self.advance(3600)
        self.chime.delete_phone_number(PhoneNumberId=numbers[0])  # the deletion queue does not count
        self.order(numbers[4:])
        self.advance(3600)
        self.assertChimeError("ResourceLimitExceededException", "ResourceLimitExceeded", 400,
                              self.chime.restore_phone_number, PhoneNumberId=numbers[0])
        self.chime.delete_phone_number(PhoneNumberId=numbers[1])
        self.assertEqual(self.chime.restore_phone_number(PhoneNumberId=numbers[0])["PhoneNumber"]["Status"],
                         "Unassigned")
        # the limit is per AWS account
        other = self.server.client(fresh_aws_account())
        self.order(self.search(1, AreaCode="208"), client=other)

    def test_purge_after_the_deletion_queue(self):
        numbers = self.search(2, AreaCode="209")
        self.order(numbers)
        self.advance(3600)
        resp = self.chime.batch_delete_phone_number(PhoneNumberIds=numbers)
        self.assertEqual(self.item_errors(resp), [])
        self.advance(168 * 3600 - 30)
        self.assertEqual(self.chime.restore_phone_number(PhoneNumberId=numbers[0])["PhoneNumber"]["Status"],
                         "Unassigned")
        self.advance(30)
        self.assertNotFound(self.chime.get_phone_number, PhoneNumberId=numbers[1])
        self.assertNotFound(self.chime.restore_phone_number, PhoneNumberId=numbers[1])
        self.assertNotFound(self.chime.delete_phone_number, PhoneNumberId=numbers[1])
        self.assertEqual([p["E164PhoneNumber"] for p in self.chime.list_phone_numbers()["PhoneNumbers"]], numbers[:1])
        resp = self.chime.batch_delete_phone_number(PhoneNumberIds=[numbers[1]])
        self.assertEqual(self.item_errors(resp), [(numbers[1], "NotFound")])
        # never offered or sold again
        self.assertNotIn(numbers[1], self.chime.search_available_phone_numbers(AreaCode="209", MaxResults=500)[
            "E164PhoneNumbers"])
        order = self.order([numbers[1]])
        self.advance(3600)
        self.assertEqual(self.chime.get_phone_number_order(PhoneNumberOrderId=order["PhoneNumberOrderId"])[
            "PhoneNumberOrder"]["Status"], "Failed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
