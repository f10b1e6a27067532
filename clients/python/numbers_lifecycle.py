"""The life of one phone number, told with boto3 against a chimed server (docs/behavior.md §3.7, §4.22, §4.26–§4.30).

The server must run with clock control and the delays below, e.g.

    chimed serve --auth any --allow-clock-control --order-delay 1h --calling-name-delay 1h   # deletion queue: 168h

    AWS_ACCESS_KEY_ID=123456789012 AWS_SECRET_ACCESS_KEY=x \\
        python3 clients/python/numbers_lifecycle.py --endpoint-url http://127.0.0.1:8080

The AWS account of the credentials should be one no one else uses on that server. The script moves the server
clock forward (PUT /_chimed/clock, signed like any API call) by 1 h three times and by 168 h once; the clock never
goes back. It prints each step and exits 0 when every check held, 1 (with the failed check) otherwise.

Story: search numbers, order one (Processing) -> an hour later the order is Successful and the number Unassigned
-> associate it with a user (Assigned, the user's PrimaryProvisionedNumber) -> give it a calling name
(UpdateInProgress -> an hour later UpdateSucceeded) -> disassociate (Unassigned) -> delete (DeleteInProgress)
-> restore (Unassigned) -> delete again -> 168 h later it is gone: GetPhoneNumber says NotFound, ListPhoneNumbers
does not list it, SearchAvailablePhoneNumbers never offers it again.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

HOUR = 3600


class Lifecycle:
    def __init__(self, endpoint_url, region="us-east-1", order_delay=HOUR, calling_name_delay=HOUR,
                 deletion_queue=168 * HOUR, area_code="503", session=None, out=sys.stdout):
        self.endpoint = endpoint_url.rstrip("/")
        self.region = region
        self.session = session or boto3.session.Session()
        self.chime = self.session.client("chime", endpoint_url=self.endpoint, region_name=region,
                                         config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        self.order_delay = order_delay
        self.calling_name_delay = calling_name_delay
        self.deletion_queue = deletion_queue
        self.area_code = area_code
        self.out = out

    # --- small helpers ------------------------------------------------------------------------------------------

    def step(self, text):
        print("- " + text, file=self.out, flush=True)

    @staticmethod
    def check(cond, what, got=None):
        if not cond:
            raise AssertionError(what + ("" if got is None else ": got %r" % (got,)))

    def equal(self, got, want, what):
        self.check(got == want, "%s: want %r" % (what, want), got)

    def expect_error(self, name, status, fn, **kwargs):
        try:
            fn(**kwargs)
        except botocore.exceptions.ClientError as e:
            self.check(isinstance(e, getattr(self.chime.exceptions, name)), "want %s" % name, e.response)
            self.equal(e.response["ResponseMetadata"]["HTTPStatusCode"], status, "%s HTTP status" % name)
            return e
        raise AssertionError("%s(%r) did not raise %s" % (fn.__name__, kwargs, name))

    def clock(self, method, body=None):
        """A signed call of /_chimed/clock, as the API's own signature (botocore SigV4Auth)."""
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        req = AWSRequest(method=method, url=self.endpoint + "/_chimed/clock", data=data, headers=headers)
        SigV4Auth(self.session.get_credentials().get_frozen_credentials(), "chime", self.region).add_auth(req)
        p = req.prepare()
        ureq = urllib.request.Request(p.url, data=data if body is not None else None, headers=dict(p.headers.items()),
                                      method=method)
        try:
            with urllib.request.urlopen(ureq, timeout=30) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        self.equal(status, 200, "%s /_chimed/clock (is the server run with --allow-clock-control?) %s" % (method, raw))
        return json.loads(raw)

    def advance(self, seconds, why):
        now = self.clock("GET")
        moved = self.clock("PUT", {"OffsetSeconds": now["OffsetSeconds"] + seconds})
        span = "%dh" % (seconds // HOUR) if seconds % HOUR == 0 else "%ds" % seconds
        self.step("server clock +%s (%s): now %s" % (span, why, moved["Now"]))

    def number(self, number_id):
        return self.chime.get_phone_number(PhoneNumberId=number_id)["PhoneNumber"]

    # --- the story ----------------------------------------------------------------------------------------------

    def run(self):
        c = self.chime

        # 1. search, order
        found = c.search_available_phone_numbers(AreaCode=self.area_code, MaxResults=3)["E164PhoneNumbers"]
        self.check(len(found) == 3, "search offers three numbers", found)
        e164 = found[0]
        self.step("search area code %s: %s" % (self.area_code, found))
        order = c.create_phone_number_order(ProductType="BusinessCalling", E164PhoneNumbers=[e164])
        self.equal(order["ResponseMetadata"]["HTTPStatusCode"], 201, "CreatePhoneNumberOrder status")
        order = order["PhoneNumberOrder"]
        order_id = order["PhoneNumberOrderId"]
        self.equal(order["Status"], "Processing", "new order")
        self.equal(order["OrderedPhoneNumbers"], [{"E164PhoneNumber": e164, "Status": "Processing"}], "order lines")
        self.step("ordered %s: order %s is Processing" % (e164, order_id))
        self.check(e164 not in c.search_available_phone_numbers(AreaCode=self.area_code, MaxResults=3)[
            "E164PhoneNumbers"], "a number of a pending order is no longer offered")

        pn = self.number(e164)
        number_id = pn["PhoneNumberId"]  # the service's own form: "%2B1…", passed back as is from here on
        self.equal(number_id, "%2B" + e164[1:], "PhoneNumberId")
        self.equal(pn["Status"], "AcquireInProgress", "number while the order is processing")
        self.equal(c.get_phone_number_order(PhoneNumberOrderId=order_id)["PhoneNumberOrder"]["Status"], "Processing",
                   "order before the delay")

        # 2. the order completes
        self.advance(self.order_delay, "order delay")
        order = c.get_phone_number_order(PhoneNumberOrderId=order_id)["PhoneNumberOrder"]
        self.equal(order["Status"], "Successful", "order after the delay")
        self.equal(order["OrderedPhoneNumbers"], [{"E164PhoneNumber": e164, "Status": "Acquired"}], "order lines")
        pn = self.number(number_id)
        self.equal((pn["Status"], pn["ProductType"], pn["Associations"]), ("Unassigned", "BusinessCalling", []),
                   "acquired number")
        self.step("order Successful, %s Unassigned" % number_id)

        # 3. a Chime account with a user; associate the number
        account = c.create_account(Name="lifecycle-" + uuid.uuid4().hex[:8])["Account"]
        account_id = account["AccountId"]
        address = "numbers-%s@example.com" % uuid.uuid4().hex[:8]
        c.invite_users(AccountId=account_id, UserEmailList=[address])
        user_id = c.list_users(AccountId=account_id, UserEmail=address)["Users"][0]["UserId"]
        resp = c.associate_phone_number_with_user(AccountId=account_id, UserId=user_id, E164PhoneNumber=e164)
        self.equal(resp["ResponseMetadata"]["HTTPStatusCode"], 200, "AssociatePhoneNumberWithUser status")
        pn = self.number(number_id)
        self.equal(pn["Status"], "Assigned", "associated number")
        self.equal(sorted((a["Name"], a["Value"]) for a in pn["Associations"]),
                   [("AccountId", account_id), ("UserId", user_id)], "associations")
        self.equal(c.get_user(AccountId=account_id, UserId=user_id)["User"].get("PrimaryProvisionedNumber"), e164,
                   "the user's PrimaryProvisionedNumber")
        self.step("associated with user %s of account %s: Assigned" % (user_id, account_id))

        # 4. rename it
        pn = c.update_phone_number(PhoneNumberId=number_id, CallingName="Front Desk")["PhoneNumber"]
        self.equal((pn["CallingName"], pn["CallingNameStatus"]), ("Front Desk", "UpdateInProgress"), "renamed number")
        self.expect_error("ConflictException", 409, c.update_phone_number, PhoneNumberId=number_id,
                          CallingName="Back Desk")
        self.step("calling name 'Front Desk': UpdateInProgress (a second rename meanwhile: 409 Conflict)")
        self.advance(self.calling_name_delay, "calling name delay")
        pn = self.number(number_id)
        self.equal((pn["CallingName"], pn["CallingNameStatus"]), ("Front Desk", "UpdateSucceeded"), "after the delay")
        self.step("calling name UpdateSucceeded")

        # 5. disassociate, delete, restore, delete
        resp = c.disassociate_phone_number_from_user(AccountId=account_id, UserId=user_id)
        self.equal(resp["ResponseMetadata"]["HTTPStatusCode"], 200, "DisassociatePhoneNumberFromUser status")
        pn = self.number(number_id)
        self.equal((pn["Status"], pn["Associations"]), ("Unassigned", []), "disassociated number")
        self.check("PrimaryProvisionedNumber" not in c.get_user(AccountId=account_id, UserId=user_id)["User"],
                   "the user has no number any more")
        self.step("disassociated: Unassigned")

        resp = c.delete_phone_number(PhoneNumberId=number_id)
        self.equal(resp["ResponseMetadata"]["HTTPStatusCode"], 204, "DeletePhoneNumber status")
        pn = self.number(number_id)
        self.equal(pn["Status"], "DeleteInProgress", "deleted number")
        self.check("DeletionTimestamp" in pn, "a queued number has a DeletionTimestamp", pn)
        self.step("deleted: DeleteInProgress since %s" % pn["DeletionTimestamp"])

        pn = c.restore_phone_number(PhoneNumberId=number_id)["PhoneNumber"]
        self.equal((pn["Status"], pn["Associations"]), ("Unassigned", []), "restored number")
        self.check("DeletionTimestamp" not in pn, "a restored number has no DeletionTimestamp", pn)
        self.step("restored: Unassigned")

        c.delete_phone_number(PhoneNumberId=number_id)
        self.equal(self.number(number_id)["Status"], "DeleteInProgress", "deleted again")
        self.step("deleted again: DeleteInProgress")

        # 6. the deletion queue runs out
        self.advance(self.deletion_queue - 60, "a minute short of the deletion queue")
        self.equal(self.number(number_id)["Status"], "DeleteInProgress", "still queued a minute before the end")
        self.advance(60, "deletion queue over")
        self.expect_error("NotFoundException", 404, c.get_phone_number, PhoneNumberId=number_id)
        self.expect_error("NotFoundException", 404, c.restore_phone_number, PhoneNumberId=number_id)
        listed = [p["E164PhoneNumber"] for p in c.list_phone_numbers()["PhoneNumbers"]]
        self.check(e164 not in listed, "a purged number is not listed", listed)
        offered = c.search_available_phone_numbers(AreaCode=self.area_code, MaxResults=500)["E164PhoneNumbers"]
        self.check(e164 not in offered, "a purged number is never offered again")
        self.equal(offered[:2], found[1:], "search goes on with the next free numbers")
        self.step("purged: GetPhoneNumber NotFound, not listed, not offered by search")
        return e164


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint-url", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--area-code", default="503")
    ap.add_argument("--order-delay", type=float, default=1, help="hours (server: --order-delay)")
    ap.add_argument("--calling-name-delay", type=float, default=1, help="hours (server: --calling-name-delay)")
    ap.add_argument("--deletion-queue", type=float, default=168, help="hours (server: --phone-deletion-queue)")
    args = ap.parse_args(argv)
    story = Lifecycle(args.endpoint_url, region=args.region, area_code=args.area_code,
                      order_delay=int(args.order_delay * HOUR), calling_name_delay=int(args.calling_name_delay * HOUR),
                      deletion_queue=int(args.deletion_queue * HOUR))
    try:
        e164 = story.run()
    except (AssertionError, botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        print("FAILED: %s" % e, flush=True)
        return 1
    print("OK: %s lived and was purged" % e164, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
