"""Conformance suite, audit trail: boto3's CloudTrail client against chimed (docs/behavior.md §9.9).

Run:  python3 -m unittest -v test_boto3_cloudtrail   (in clients/python; CHIMED_BIN as for test_boto3)

One server of this module's own (class ChimedServer of test_boto3, CHIMED_AUTH_MODE). Every test acts in an AWS
account of its own: it makes mutating Chime calls with boto3, then reads them back with `lookup_events` — its
paginator, the lookup attributes, the time range, tenancy and the CloudTrailEvent record.
"""

import datetime
import json
import re
import time
import unittest

import boto3
import botocore.exceptions
from botocore.config import Config

from test_boto3 import REGION, ChimedServer
from test_boto3_numbers import fresh_aws_account

TRAIL = None


def setUpModule():
    global TRAIL
    TRAIL = ChimedServer().start()


def tearDownModule():
    if TRAIL:
        TRAIL.cleanup()


class CloudTrailTests(unittest.TestCase):

    def setUp(self):
        self.aws_account = fresh_aws_account()
        self.chime = TRAIL.client(self.aws_account)
        self.key, secret = TRAIL.credentials(self.aws_account)
        self.trail = boto3.session.Session().client(
            "cloudtrail", endpoint_url=TRAIL.endpoint, region_name=REGION, aws_access_key_id=self.key,
            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        time.sleep(1.0)  # the start (whole seconds) comes after this key's own record (chimed credentials create)
        self.start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def events(self, page_size=50, **kw):
        """Every event of a lookup since self.start, through the lookup_events paginator with pages of page_size."""
        kw.setdefault("StartTime", self.start)
        pages = self.trail.get_paginator("lookup_events").paginate(PaginationConfig={"PageSize": page_size}, **kw)
        out = []
        for page in pages:
            self.assertLessEqual(len(page["Events"]), page_size)
            out.extend(page["Events"])
        return out

    def calls(self):
        """A success and a refusal of CreateAccount, an UpdateAccount, a refused DeleteAccount and a read."""
        acct = self.chime.create_account(Name="audited")["Account"]["AccountId"]
        self.chime.update_account(AccountId=acct, Name="renamed")
        with self.assertRaises(self.chime.exceptions.BadRequestException):
            self.chime.create_account(Name="x" * 101)
        with self.assertRaises(self.chime.exceptions.NotFoundException):
            self.chime.delete_account(AccountId="00000000-0000-0000-0000-000000000000")
        self.chime.get_account(AccountId=acct)
        return acct

    def test_lookup_events_paginator(self):
        acct = self.calls()
        every = self.events(page_size=2)
        self.assertEqual([e["EventName"] for e in every],
                         ["DeleteAccount", "CreateAccount", "UpdateAccount", "CreateAccount"])
        self.assertEqual([e["EventId"] for e in self.events(page_size=1)], [e["EventId"] for e in every])
        times = [e["EventTime"] for e in every]
        self.assertEqual(times, sorted(times, reverse=True))
        for e in every:
            self.assertIsInstance(e["EventTime"], datetime.datetime)
            self.assertEqual((e["EventSource"], e["ReadOnly"], e["Username"], e["AccessKeyId"]),
                             ("chime.amazonaws.com", "false", self.key, self.key))
        created = json.loads(every[3]["CloudTrailEvent"])
        self.assertEqual(created["eventVersion"], "1.08")
        self.assertEqual(created["userIdentity"]["type"], "IAMUser")
        self.assertEqual(created["userIdentity"]["accountId"], self.aws_account)
        self.assertEqual(created["userIdentity"]["accessKeyId"], self.key)
        self.assertEqual((created["eventSource"], created["eventName"], created["awsRegion"]),
                         ("chime.amazonaws.com", "CreateAccount", REGION))
        self.assertEqual(created["sourceIPAddress"], "127.0.0.1")
        self.assertIn("Boto3", created["userAgent"])
        self.assertEqual(created["requestParameters"], {"Name": "audited"})
        self.assertEqual(created["responseElements"]["Account"]["AccountId"], acct)
        self.assertIs(created["readOnly"], False)
        self.assertEqual((created["eventType"], created["managementEvent"], created["recipientAccountId"]),
                         ("AwsApiCall", True, self.aws_account))
        self.assertRegex(created["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(created["requestID"], r"^[0-9a-f-]{36}$")
        self.assertNotIn("errorCode", created)
        refused = json.loads(every[0]["CloudTrailEvent"])
        self.assertEqual(refused["errorCode"], "NotFoundException")
        self.assertTrue(refused["errorMessage"])
        self.assertEqual(refused["requestParameters"], {"accountId": "00000000-0000-0000-0000-000000000000"})

    def test_lookup_attributes(self):
        acct = self.calls()
        names = lambda evs: [e["EventName"] for e in evs]
        by = lambda k, v: self.events(LookupAttributes=[{"AttributeKey": k, "AttributeValue": v}])
        self.assertEqual(names(by("EventName", "CreateAccount")), ["CreateAccount", "CreateAccount"])
        self.assertEqual(json.loads(by("EventName", "CreateAccount")[0]["CloudTrailEvent"])["errorCode"],
                         "BadRequestException")
        on = by("ResourceName", acct)
        self.assertEqual(names(on), ["UpdateAccount", "CreateAccount"])
        for e in on:
            self.assertIn({"ResourceType": "AWS::Chime::Account", "ResourceName": acct}, e["Resources"])
        self.assertEqual(len(by("Username", self.key)), 4)
        one = by("EventName", "UpdateAccount")[0]["EventId"]
        self.assertEqual([e["EventId"] for e in by("EventId", one)], [one])
        with self.assertRaises(self.trail.exceptions.InvalidLookupAttributesException):
            self.trail.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceType", "AttributeValue": "x"}])

    def test_time_range_and_tenancy(self):
        self.calls()
        self.assertEqual(len(self.events(EndTime=datetime.datetime.now(datetime.timezone.utc) +
                                         datetime.timedelta(seconds=1))), 4)
        before = self.events(StartTime=self.start - datetime.timedelta(hours=1),
                             EndTime=self.start - datetime.timedelta(seconds=1))
        self.assertEqual([e for e in before if not e["EventName"].startswith("chimed:")], [])  # keys: sigv4 mode
        with self.assertRaises(self.trail.exceptions.InvalidTimeRangeException):
            self.trail.lookup_events(StartTime=self.start, EndTime=self.start - datetime.timedelta(hours=1))
        other = fresh_aws_account()
        TRAIL.client(other).create_account(Name="other")
        key, secret = TRAIL.credentials(other)
        theirs = boto3.session.Session().client(
            "cloudtrail", endpoint_url=TRAIL.endpoint, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        evs = theirs.lookup_events(StartTime=self.start)["Events"]
        self.assertEqual([e["EventName"] for e in evs if not e["EventName"].startswith("chimed:")], ["CreateAccount"])
        # A NextToken is bound to its caller.
        token = self.trail.lookup_events(StartTime=self.start, MaxResults=1)["NextToken"]
        with self.assertRaises(theirs.exceptions.InvalidNextTokenException):
            theirs.lookup_events(StartTime=self.start, MaxResults=1, NextToken=token)

    def test_signed_for_chime_is_refused(self):
        if TRAIL.auth_mode != "sigv4":
            self.skipTest("the emulator mode does not check signatures")
        key, secret = TRAIL.credentials(self.aws_account)
        client = boto3.session.Session().client(
            "cloudtrail", endpoint_url=TRAIL.endpoint, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        client._request_signer._signing_name = "chime"  # sign for the Chime API instead of CloudTrail
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            client.lookup_events()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertTrue(re.search("cloudtrail", cm.exception.response["Error"]["Message"]))


if __name__ == "__main__":
    unittest.main()
