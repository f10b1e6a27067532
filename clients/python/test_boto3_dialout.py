"""Conformance suite, meeting dial-out: boto3 against chimed (docs/behavior.md §4.38, §9.8; D40, D47, D48).

Run:  python3 -m unittest -v test_boto3_dialout   (in clients/python; CHIMED_BIN as for test_boto3)

One server of this module's own (class ChimedServer of test_boto3, CHIMED_AUTH_MODE). Every test acts in an AWS
account of its own and dials out from a number it ordered (the default order delay is 0).
"""

import unittest
import uuid

from test_boto3 import UUID_RE, ChimedServer, ChimeTestCase
from test_boto3_numbers import fresh_aws_account

DIAL = None
TOKEN = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+/0123"
TO = "+14155550123"


def setUpModule():
    global DIAL
    DIAL = ChimedServer().start()


def tearDownModule():
    if DIAL:
        DIAL.cleanup()


class DialOutTests(ChimeTestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = DIAL

    def setUp(self):
        self.aws_account = fresh_aws_account()
        self.chime = self.server.client(self.aws_account)
        self.exc = self.chime.exceptions

    def acquire(self, client=None):
        client = client or self.chime
        number = client.search_available_phone_numbers(AreaCode="206", MaxResults=1)["E164PhoneNumbers"][0]
        resp = client.create_phone_number_order(ProductType="BusinessCalling", E164PhoneNumbers=[number])
        self.assertMeta(resp, 201)
        return number

    def dial(self, **kw):
        """CreateMeetingDialOut from kw["From"] to TO in a new meeting, kw overriding the members."""
        args = {"MeetingId": str(uuid.uuid4()), "FromPhoneNumber": kw.pop("From"), "ToPhoneNumber": TO,
                "JoinToken": TOKEN}
        args.update(kw)
        return self.chime.create_meeting_dial_out(**args)

    def call(self):
        """self.dial as a plain function (assertChimeError takes the client of a bound method's __self__)."""
        return lambda **kw: self.dial(**kw)

    def dial_outs(self, aws_account=None):
        status, body = self.server.control("GET", "/_chimed/dial-outs", aws_account_id=aws_account or self.aws_account)
        self.assertEqual(status, 200, body)
        return body["DialOuts"]

    def test_create_meeting_dial_out(self):
        number = self.acquire()
        meeting = str(uuid.uuid4())
        resp = self.dial(From=number, MeetingId=meeting)
        self.assertMeta(resp, 201)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, {"TransactionId"})
        self.assertRegex(resp["TransactionId"], UUID_RE)
        [d] = self.dial_outs()
        self.assertEqual({k: v for k, v in d.items() if k != "CreatedTimestamp"},
                         {"TransactionId": resp["TransactionId"], "MeetingId": meeting, "FromPhoneNumber": number,
                          "ToPhoneNumber": TO, "JoinToken": TOKEN})
        # A number without '+' is the same number.
        resp = self.dial(From=number.lstrip("+"), ToPhoneNumber="14155550124")
        self.assertMeta(resp, 201)
        self.assertEqual(self.dial_outs()[1]["ToPhoneNumber"], "+14155550124")

    def test_bad_requests(self):
        number = self.acquire()
        # botocore checks required members and minimum lengths itself; the rest reaches the server.
        for kw in ({"MeetingId": "not-a-guid"}, {"ToPhoneNumber": "+0123"}, {"ToPhoneNumber": number},
                   {"JoinToken": "abc=="}, {"JoinToken": "x" * 2049}):
            self.assertBadRequest(self.call(), From=number, **kw)
        self.assertBadRequest(self.call(), From="+1-206-555-0100")
        self.assertEqual(self.dial_outs(), [])

    def test_access_denied(self):
        other = self.server.client(fresh_aws_account())
        foreign = self.acquire(client=other)
        for number in ("+12065559999", foreign):
            self.assertChimeError("AccessDeniedException", "AccessDenied", 403, self.call(), From=number)
        # queued for deletion: no longer usable
        mine = self.acquire()
        self.chime.delete_phone_number(PhoneNumberId=mine)
        self.assertChimeError("AccessDeniedException", "AccessDenied", 403, self.call(), From=mine)

    def test_limit_per_meeting(self):
        number = self.acquire()
        meeting = str(uuid.uuid4())
        for _ in range(250):
            self.dial(From=number, MeetingId=meeting)
        self.assertChimeError("ResourceLimitExceededException", "ResourceLimitExceeded", 400, self.call(),
                              From=number, MeetingId=meeting)
        self.assertMeta(self.dial(From=number), 201)  # another meeting
        status, _ = self.server.control("POST", "/_chimed/reset", aws_account_id=self.aws_account)
        self.assertIn(status, (200, 204))
        self.assertEqual(self.dial_outs(), [])


if __name__ == "__main__":
    unittest.main()
