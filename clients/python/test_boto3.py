"""Conformance suite: boto3 (botocore 1.43) against a freshly started chimed server.

Run:  CHIMED_BIN=/path/to/chimed python3 -m unittest -v clients/python/test_boto3.py
      (without CHIMED_BIN the suite builds the server with `go build` from the repository root).

The suite starts its own `chimed serve` on a free loopback port with a temporary SQLite store and stops it at
the end. How the server is started and which credentials the clients use is decided in ONE place: the class
`ChimedServer` below, steered by CHIMED_AUTH_MODE ("sigv4", the default, or "any").
Only the standard library, boto3 and botocore are used.
"""

import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import unittest.mock
import urllib.error
import urllib.request
import uuid

import boto3
import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# --------------------------------------------------------------------------------------------------------------
# The one place that decides the server command line and the credentials.
#   CHIMED_AUTH_MODE=sigv4  `chimed serve --auth sigv4` (default): real signature checks; credentials are minted
#                           with `chimed credentials create --aws-account-id ID --db sqlite:PATH`.
#   CHIMED_AUTH_MODE=any    `chimed serve --auth any` (emulator): any well-formed SigV4 header is accepted, the
#                           12-digit access key id is the AWS account id, any secret.
# --------------------------------------------------------------------------------------------------------------
AUTH_MODE = os.environ.get("CHIMED_AUTH_MODE", "sigv4")
MAIN_AWS_ACCOUNT = "111122223333"
OTHER_AWS_ACCOUNT = "444455556666"
REGION = "us-east-1"

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PIN_RE = re.compile(r"^[0-9]{10}$")
RUN = uuid.uuid4().hex[:8]  # makes names and emails unique per run


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chimed_bin():
    """The server binary: $CHIMED_BIN, else built once into a temporary directory."""
    path = os.environ.get("CHIMED_BIN")
    if path:
        return path
    out = os.path.join(tempfile.mkdtemp(prefix="chimed-bin-"), "chimed")
    subprocess.run(["go", "build", "-o", out, "./cmd/chimed"], cwd=REPO, check=True)
    os.environ["CHIMED_BIN"] = out
    return out


def parse_credentials(text):
    vals = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export "):]
        if "=" in line:
            k, v = line.split("=", 1)
            vals[k.strip()] = v.strip().strip("'\"")
    return vals["AWS_ACCESS_KEY_ID"], vals["AWS_SECRET_ACCESS_KEY"]


class ChimedServer:
    """A `chimed serve` process on a free loopback port with its own temporary store."""

    def __init__(self, auth_mode=AUTH_MODE, extra_args=()):
        self.bin = chimed_bin()
        self.auth_mode = auth_mode
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="chimed-boto3-")
        self.db = "sqlite:" + os.path.join(self.dir, "c.db")
        self.proc = None
        self.endpoint = None
        self._creds = {}

    def _env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHIMED_")}
        return env

    def credentials(self, aws_account_id=MAIN_AWS_ACCOUNT, read_only=False):
        """(access key id, secret) acting in aws_account_id."""
        key = (aws_account_id, read_only)
        if key in self._creds:
            return self._creds[key]
        if self.auth_mode == "any":
            if read_only:
                raise unittest.SkipTest("read-only credentials need --auth sigv4")
            cred = (aws_account_id, "any-secret-" + RUN)
        elif self.auth_mode == "sigv4":
            args = [self.bin, "credentials", "create", "--aws-account-id", aws_account_id, "--db", self.db]
            if read_only:
                args.append("--read-only")
            p = subprocess.run(args, env=self._env(), capture_output=True, text=True, timeout=30)
            if p.returncode != 0:
                raise RuntimeError("chimed credentials create failed (%d): %s" % (p.returncode, p.stderr))
            cred = parse_credentials(p.stdout)
        else:
            raise ValueError("CHIMED_AUTH_MODE must be any or sigv4, not %r" % self.auth_mode)
        self._creds[key] = cred
        return cred

    def start(self):
        if self.auth_mode == "sigv4":
            self.credentials()  # before the first start, so serve finds a non-empty credential store
        last = ""
        for _ in range(3):  # another process may grab the free port between probe and listen
            port = free_port()
            self.endpoint = "http://127.0.0.1:%d" % port
            self.log = open(os.path.join(self.dir, "server.log"), "ab")
            self.proc = subprocess.Popen(
                [self.bin, "serve", "--listen", "127.0.0.1:%d" % port, "--db", self.db, "--auth", self.auth_mode]
                + self.extra_args,
                stdout=self.log, stderr=subprocess.STDOUT, env=self._env(), start_new_session=True)
            deadline = time.time() + 20
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    with urllib.request.urlopen(self.endpoint + "/_chimed/health", timeout=1) as r:
                        if r.status == 200:
                            return self
                except (urllib.error.URLError, ConnectionError, OSError):
                    time.sleep(0.05)
            self.stop()
            last = self.log_tail()
        raise RuntimeError("chimed did not start:\n" + last)

    def log_tail(self, n=4000):
        try:
            with open(os.path.join(self.dir, "server.log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, aws_account_id=MAIN_AWS_ACCOUNT, region=REGION, read_only=False, creds=None):
        key, secret = creds or self.credentials(aws_account_id, read_only)
        return boto3.session.Session().client(
            "chime", endpoint_url=self.endpoint, region_name=region,
            aws_access_key_id=key, aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30))

    def control(self, method, path, body=None, aws_account_id=MAIN_AWS_ACCOUNT, region=REGION):
        """A signed call of a /_chimed/ control endpoint; returns (status, parsed JSON body or None)."""
        key, secret = self.credentials(aws_account_id)
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        req = AWSRequest(method=method, url=self.endpoint + path, data=data, headers=headers)
        SigV4Auth(Credentials(key, secret), "chime", region).add_auth(req)
        prepared = req.prepare()
        ureq = urllib.request.Request(prepared.url, data=data if body is not None else None,
                                      headers=dict(prepared.headers.items()), method=method)
        try:
            with urllib.request.urlopen(ureq, timeout=30) as r:
                raw = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        return status, (json.loads(raw) if raw else None)


def server_supports(*args, needle):
    """True when `chimed ARGS` mentions needle in its output (flag help goes to stderr, exit code 2 or 0)."""
    p = subprocess.run([chimed_bin()] + list(args), capture_output=True, text=True, timeout=30)
    return needle in (p.stdout + p.stderr)


def fetch(url, method="GET"):
    """Fetch url with urllib as a browser would (no header of our own): (status, headers, parsed JSON or None)."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw, status, headers = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        raw, status, headers = e.read(), e.code, e.headers
    return status, headers, (json.loads(raw) if raw else None)


SERVER = None


def setUpModule():
    global SERVER
    SERVER = ChimedServer().start()


def tearDownModule():
    if SERVER:
        SERVER.cleanup()


class ChimeTestCase(unittest.TestCase):
    """Helpers shared by every test: clients, fixtures and typed-error assertions."""

    @classmethod
    def setUpClass(cls):
        cls.chime = SERVER.client()
        cls.exc = cls.chime.exceptions

    def status(self, resp):
        return resp["ResponseMetadata"]["HTTPStatusCode"]

    def assertMeta(self, resp, status):
        self.assertEqual(self.status(resp), status, resp)
        self.assertTrue(resp["ResponseMetadata"].get("RequestId"), "x-amzn-RequestId missing")

    def assertChimeError(self, name, code, status, fn, *args, **kwargs):
        """fn(*args, **kwargs) raises the modeled exception `name` (a class of the calling client's
        `exceptions`) with body Code `code`, HTTP `status`, a message and a request id."""
        client = getattr(fn, "__self__", self.chime)
        exc_class = getattr(client.exceptions, name)
        try:
            fn(*args, **kwargs)
        except botocore.exceptions.ClientError as e:
            err = e
        else:
            self.fail("%s did not raise %s" % (getattr(fn, "__name__", fn), name))
        r = err.response
        self.assertIsInstance(err, exc_class,
                              "got %s (HTTP %s, Code %r): %s" % (type(err).__name__,
                                                                 r["ResponseMetadata"].get("HTTPStatusCode"),
                                                                 r.get("Code"), r.get("Error")))
        self.assertEqual(r["Error"]["Code"], name)
        self.assertEqual(r.get("Code"), code, r)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], status, r)
        self.assertTrue(r["Error"].get("Message"), r)
        self.assertTrue(r["ResponseMetadata"].get("RequestId"), r)
        return err

    def assertNotFound(self, fn, *args, **kwargs):
        return self.assertChimeError("NotFoundException", "NotFound", 404, fn, *args, **kwargs)

    def assertBadRequest(self, fn, *args, **kwargs):
        return self.assertChimeError("BadRequestException", "BadRequest", 400, fn, *args, **kwargs)

    def assertRecent(self, ts):
        self.assertIsInstance(ts, datetime.datetime)
        self.assertIsNotNone(ts.tzinfo, "timestamp without time zone")
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - ts).total_seconds()), 300, ts)
        self.assertEqual(ts.microsecond % 1000, 0, "more than millisecond precision: %s" % ts)

    # fixtures --------------------------------------------------------------------------------------------------

    def new_account(self, name=None, client=None):
        client = client or self.chime
        resp = client.create_account(Name=name or "acct-%s-%s" % (RUN, uuid.uuid4().hex[:6]))
        self.assertMeta(resp, 201)
        return resp["Account"]

    def email(self, tag="u"):
        return "%s-%s-%s@example.com" % (tag, RUN, uuid.uuid4().hex[:8])

    def invite(self, account_id, *emails, **kw):
        resp = self.chime.invite_users(AccountId=account_id, UserEmailList=list(emails), **kw)
        self.assertMeta(resp, 201)
        return resp["Invites"]

    def user_by_email(self, account_id, email):
        users = self.chime.list_users(AccountId=account_id, UserEmail=email)["Users"]
        self.assertEqual(len(users), 1, users)
        return users[0]

    def invited_user(self, account_id, email=None):
        email = email or self.email()
        self.invite(account_id, email)
        return self.user_by_email(account_id, email)

    def set_type(self, account_id, account_type):
        status, body = SERVER.control("PUT", "/_chimed/accounts/%s/type" % account_id, {"AccountType": account_type})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["Account"]["AccountType"], account_type)
        return body["Account"]

    def register(self, account_id, user_id, display_name="Registered Person"):
        status, body = SERVER.control("POST", "/_chimed/accounts/%s/users/%s/register" % (account_id, user_id),
                                      {"DisplayName": display_name})
        self.assertEqual(status, 200, body)
        return body["User"]

    def directory_account(self):
        a = self.new_account()
        self.set_type(a["AccountId"], "EnterpriseDirectory")
        return a

    def lwa_account_with_users(self, n):
        a = self.new_account()
        users = [self.invited_user(a["AccountId"]) for _ in range(n)]
        self.set_type(a["AccountId"], "EnterpriseLWA")
        users = [self.register(a["AccountId"], u["UserId"], "LWA %d" % i) for i, u in enumerate(users)]
        return a, users


# ==============================================================================================================
# Accounts
# ==============================================================================================================


class AccountTests(ChimeTestCase):

    def test_create_and_get_account(self):
        name = "Create Get %s" % RUN
        resp = self.chime.create_account(Name=name)
        self.assertMeta(resp, 201)
        a = resp["Account"]
        self.assertRegex(a["AccountId"], UUID_RE)
        self.assertEqual(a["AwsAccountId"], MAIN_AWS_ACCOUNT)
        self.assertEqual(a["Name"], name)
        self.assertEqual(a["AccountType"], "Team")
        self.assertEqual(a["DefaultLicense"], "Pro")
        self.assertEqual(a["SupportedLicenses"], ["Basic", "Pro"])
        self.assertEqual(a["AccountStatus"], "Active")
        self.assertRecent(a["CreatedTimestamp"])
        self.assertIn("x-amzn-requestid", resp["ResponseMetadata"]["HTTPHeaders"])
        self.assertIn("date", resp["ResponseMetadata"]["HTTPHeaders"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPHeaders"]["content-type"], "application/json")

        got = self.chime.get_account(AccountId=a["AccountId"])
        self.assertMeta(got, 200)
        self.assertEqual(got["Account"], a)

    def test_create_account_names(self):
        self.assertEqual(self.new_account(name="x" * 100)["Name"], "x" * 100)
        # lengths count code points, not bytes: 100 two-byte characters are fine
        self.assertEqual(self.new_account(name="é" * 100)["Name"], "é" * 100)
        self.assertEqual(self.new_account(name=" padded ")["Name"], " padded ")
        self.assertBadRequest(self.chime.create_account, Name="x" * 101)  # botocore does not check max
        self.assertBadRequest(self.chime.create_account, Name="   ")
        self.assertBadRequest(self.chime.create_account, Name="\t\n")
        self.assertBadRequest(self.chime.create_account, Name="nul\x00char")
        # names need not be unique
        n = "Same name %s" % RUN
        self.assertNotEqual(self.new_account(name=n)["AccountId"], self.new_account(name=n)["AccountId"])

    def test_get_unknown_account(self):
        self.assertNotFound(self.chime.get_account, AccountId=str(uuid.uuid4()))
        self.assertNotFound(self.chime.get_account, AccountId="not-a-uuid")

    def test_list_accounts_name_prefix_filter(self):
        prefix = "Prefix %s" % RUN
        ids = [self.new_account(name="%s %d" % (prefix, i))["AccountId"] for i in range(3)]
        self.new_account(name="other %s" % prefix)
        resp = self.chime.list_accounts(Name=prefix)
        self.assertMeta(resp, 200)
        self.assertEqual([a["AccountId"] for a in resp["Accounts"]], ids)  # ascending creation order
        self.assertNotIn("NextToken", resp)
        for a in resp["Accounts"]:
            self.assertRecent(a["CreatedTimestamp"])
        # the prefix is case-sensitive
        self.assertEqual(self.chime.list_accounts(Name=prefix.upper())["Accounts"], [])
        # no match is an empty list, not an error
        self.assertEqual(self.chime.list_accounts(Name="no such %s" % RUN)["Accounts"], [])

    def test_list_accounts_user_email_filter(self):
        a = self.new_account()
        self.new_account()
        email = self.email("Mixed.Case")
        self.invite(a["AccountId"], email)
        for e in (email, email.lower(), email.upper()):
            accts = self.chime.list_accounts(UserEmail=e)["Accounts"]
            self.assertEqual([x["AccountId"] for x in accts], [a["AccountId"]], e)
        self.assertEqual(self.chime.list_accounts(UserEmail=self.email("nobody"))["Accounts"], [])
        # both filters combine with AND
        self.assertEqual(len(self.chime.list_accounts(UserEmail=email, Name=a["Name"])["Accounts"]), 1)
        self.assertEqual(self.chime.list_accounts(UserEmail=email, Name="zz" + RUN)["Accounts"], [])
        self.assertBadRequest(self.chime.list_accounts, UserEmail="not-an-email")
        self.assertBadRequest(self.chime.list_accounts, Name="n" * 101)
        self.assertBadRequest(self.chime.list_accounts, Name="   ")

    def test_list_accounts_paginator(self):
        prefix = "Paged %s" % RUN
        ids = [self.new_account(name="%s %02d" % (prefix, i))["AccountId"] for i in range(7)]
        pages = list(self.chime.get_paginator("list_accounts").paginate(Name=prefix, PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["Accounts"]) for p in pages], [3, 3, 1])
        self.assertEqual([a["AccountId"] for p in pages for a in p["Accounts"]], ids)
        self.assertIn("NextToken", pages[0])
        self.assertNotEqual(pages[0]["NextToken"], pages[1]["NextToken"])
        self.assertNotIn("NextToken", pages[-1])

    def test_list_accounts_bad_paging(self):
        self.assertBadRequest(self.chime.list_accounts, MaxResults=201)
        self.assertBadRequest(self.chime.list_accounts, MaxResults=500)
        self.assertEqual(len(self.chime.list_accounts(MaxResults=200)["Accounts"]) <= 200, True)
        self.assertBadRequest(self.chime.list_accounts, NextToken="not-a-token")
        # a token is bound to the filters it was issued for
        prefix = "Bound %s" % RUN
        for i in range(2):
            self.new_account(name="%s %d" % (prefix, i))
        tok = self.chime.list_accounts(Name=prefix, MaxResults=1)["NextToken"]
        self.assertEqual(len(self.chime.list_accounts(Name=prefix, MaxResults=1, NextToken=tok)["Accounts"]), 1)
        self.assertBadRequest(self.chime.list_accounts, Name=prefix + " 1", MaxResults=1, NextToken=tok)
        self.assertBadRequest(self.chime.list_accounts, NextToken=tok)

    def test_update_account(self):
        a = self.new_account()
        aid = a["AccountId"]
        resp = self.chime.update_account(AccountId=aid, Name="Renamed %s" % RUN)
        self.assertMeta(resp, 200)
        self.assertEqual(resp["Account"]["Name"], "Renamed %s" % RUN)
        self.assertEqual(resp["Account"]["CreatedTimestamp"], a["CreatedTimestamp"])
        resp = self.chime.update_account(AccountId=aid, DefaultLicense="Basic")
        self.assertEqual(resp["Account"]["DefaultLicense"], "Basic")
        self.assertEqual(resp["Account"]["Name"], "Renamed %s" % RUN)
        # nothing given: unchanged
        self.assertEqual(self.chime.update_account(AccountId=aid)["Account"], resp["Account"])
        self.assertEqual(self.chime.get_account(AccountId=aid)["Account"], resp["Account"])
        # new users get the new default license
        self.assertEqual(self.invited_user(aid)["LicenseType"], "Basic")
        # licenses the account does not support, unknown licenses, bad names
        self.assertBadRequest(self.chime.update_account, AccountId=aid, DefaultLicense="Plus")
        self.assertBadRequest(self.chime.update_account, AccountId=aid, DefaultLicense="ProTrial")
        self.assertBadRequest(self.chime.update_account, AccountId=aid, DefaultLicense="Gold")
        self.assertBadRequest(self.chime.update_account, AccountId=aid, Name=" ")
        self.assertBadRequest(self.chime.update_account, AccountId=aid, Name="y" * 101)
        self.assertNotFound(self.chime.update_account, AccountId=str(uuid.uuid4()), Name="x")

    def test_delete_account(self):
        a = self.new_account()
        aid = a["AccountId"]
        resp = self.chime.delete_account(AccountId=aid)
        self.assertMeta(resp, 204)
        self.assertNotFound(self.chime.get_account, AccountId=aid)
        self.assertNotFound(self.chime.delete_account, AccountId=aid)
        self.assertNotFound(self.chime.get_account_settings, AccountId=aid)
        self.assertNotFound(self.chime.list_users, AccountId=aid)
        self.assertNotFound(self.chime.update_account, AccountId=aid, Name="zombie")
        self.assertNotFound(self.chime.invite_users, AccountId=aid, UserEmailList=[self.email()])
        self.assertEqual(self.chime.list_accounts(Name=a["Name"])["Accounts"], [])

    def test_delete_team_account_with_users_is_unprocessable(self):
        a = self.new_account()
        aid = a["AccountId"]
        registered = self.invited_user(aid)
        self.register(aid, registered["UserId"])
        pending = self.invited_user(aid)
        self.assertChimeError("UnprocessableEntityException", "Unprocessable", 422,
                              self.chime.delete_account, AccountId=aid)
        # removing the registered user is not enough: a pending invitee still counts
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[registered["UserId"]])
        self.assertChimeError("UnprocessableEntityException", "Unprocessable", 422,
                              self.chime.delete_account, AccountId=aid)
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[pending["UserId"]])
        self.assertMeta(self.chime.delete_account(AccountId=aid), 204)

    def test_delete_lwa_account_needs_suspended_users(self):
        a, users = self.lwa_account_with_users(2)
        aid = a["AccountId"]
        self.assertChimeError("UnprocessableEntityException", "Unprocessable", 422,
                              self.chime.delete_account, AccountId=aid)
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[users[0]["UserId"]])
        self.assertChimeError("UnprocessableEntityException", "Unprocessable", 422,
                              self.chime.delete_account, AccountId=aid)
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[users[1]["UserId"]])
        self.assertMeta(self.chime.delete_account(AccountId=aid), 204)
        self.assertNotFound(self.chime.get_user, AccountId=aid, UserId=users[0]["UserId"])

    def test_account_settings(self):
        aid = self.new_account()["AccountId"]
        resp = self.chime.get_account_settings(AccountId=aid)
        self.assertMeta(resp, 200)
        self.assertEqual(resp["AccountSettings"], {"DisableRemoteControl": False, "EnableDialOut": False})
        resp = self.chime.update_account_settings(AccountId=aid, AccountSettings={"EnableDialOut": True})
        self.assertMeta(resp, 204)
        # patch semantics: members not given stay as they are
        self.assertEqual(self.chime.get_account_settings(AccountId=aid)["AccountSettings"],
                         {"DisableRemoteControl": False, "EnableDialOut": True})
        self.chime.update_account_settings(AccountId=aid, AccountSettings={"DisableRemoteControl": True})
        self.assertEqual(self.chime.get_account_settings(AccountId=aid)["AccountSettings"],
                         {"DisableRemoteControl": True, "EnableDialOut": True})
        self.chime.update_account_settings(AccountId=aid, AccountSettings={})
        self.chime.update_account_settings(AccountId=aid, AccountSettings={"DisableRemoteControl": False,
                                                                           "EnableDialOut": False})
        self.assertEqual(self.chime.get_account_settings(AccountId=aid)["AccountSettings"],
                         {"DisableRemoteControl": False, "EnableDialOut": False})
        missing = str(uuid.uuid4())
        self.assertNotFound(self.chime.get_account_settings, AccountId=missing)
        self.assertNotFound(self.chime.update_account_settings, AccountId=missing,
                            AccountSettings={"EnableDialOut": True})

    def test_tenant_isolation(self):
        a = self.new_account()
        other = SERVER.client(OTHER_AWS_ACCOUNT)
        self.assertNotFound(other.get_account, AccountId=a["AccountId"])
        self.assertNotFound(other.delete_account, AccountId=a["AccountId"])
        self.assertNotFound(other.list_users, AccountId=a["AccountId"])
        self.assertEqual(other.list_accounts(Name=a["Name"])["Accounts"], [])
        mine = other.create_account(Name="Other tenant %s" % RUN)["Account"]
        self.assertEqual(mine["AwsAccountId"], OTHER_AWS_ACCOUNT)
        self.assertNotFound(self.chime.get_account, AccountId=mine["AccountId"])
        # a token issued to one caller is refused for another
        for i in range(2):
            self.new_account(name="Tok %s %d" % (RUN, i))
        tok = self.chime.list_accounts(Name="Tok %s" % RUN, MaxResults=1)["NextToken"]
        self.assertChimeError("BadRequestException", "BadRequest", 400,
                              other.list_accounts, Name="Tok %s" % RUN, MaxResults=1, NextToken=tok)

    def test_other_signing_region(self):
        # with an endpoint URL, SDKs sign with their configured region; chimed accepts any region
        c = SERVER.client(region="eu-west-1")
        a = c.create_account(Name="Region %s" % RUN)["Account"]
        self.assertEqual(c.get_account(AccountId=a["AccountId"])["Account"]["AccountId"], a["AccountId"])

    def test_any_region_name(self):
        # the README promises any region: names that are not AWS regions included
        for region in ("local", "my-region", "eu-central-1"):
            with self.subTest(region=region):
                c = SERVER.client(region=region)
                a = c.create_account(Name="Region %s %s" % (region, RUN))["Account"]
                self.assertEqual(c.get_account(AccountId=a["AccountId"])["Account"]["AccountId"], a["AccountId"])

    def test_presigned_get_user(self):
        # generate_presigned_url (query-string SigV4) fetched with urllib, in whatever auth mode the server runs
        aid = self.new_account()["AccountId"]
        u = self.invited_user(aid)
        for region in (REGION, "local"):
            with self.subTest(region=region):
                url = SERVER.client(region=region).generate_presigned_url(
                    "get_user", Params={"AccountId": aid, "UserId": u["UserId"]}, ExpiresIn=300)
                self.assertIn("X-Amz-Signature=", url)
                status, _, body = fetch(url)
                self.assertEqual(status, 200, body)
                self.assertEqual(body["User"]["UserId"], u["UserId"])
                self.assertEqual(body["User"]["PrimaryEmail"], u["PrimaryEmail"])
        # operation= still selects the route with the X-Amz-* parameters present
        url = self.chime.generate_presigned_url("logout_user", Params={"AccountId": aid, "UserId": u["UserId"]})
        self.assertIn("operation=logout", url)
        status, _, body = fetch(url, method="POST")
        self.assertEqual(status, 204, body)


# ==============================================================================================================
# Users
# ==============================================================================================================


class UserTests(ChimeTestCase):

    def test_invite_users(self):
        aid = self.new_account()["AccountId"]
        e1, e2 = self.email("inv1"), self.email("inv2")
        invites = self.invite(aid, e1, e2)
        self.assertEqual([i["EmailAddress"] for i in invites], [e1, e2])
        for inv in invites:
            self.assertRegex(inv["InviteId"], UUID_RE)
            self.assertEqual(inv["Status"], "Pending")
            self.assertEqual(inv["EmailStatus"], "NotSent")  # no SMTP configured
        users = self.chime.list_users(AccountId=aid)["Users"]
        self.assertEqual([u["PrimaryEmail"] for u in users], [e1, e2])
        for u in users:
            self.assertRegex(u["UserId"], UUID_RE)
            self.assertEqual(u["AccountId"], aid)
            self.assertEqual(u["UserRegistrationStatus"], "Unregistered")
            self.assertEqual(u["UserInvitationStatus"], "Pending")
            self.assertEqual(u["LicenseType"], "Pro")
            self.assertEqual(u["UserType"], "PrivateUser")
            self.assertEqual(u["AlexaForBusinessMetadata"]["IsAlexaForBusinessEnabled"], False)
            self.assertRecent(u["InvitedOn"])
            for absent in ("PersonalPIN", "DisplayName", "RegisteredOn"):
                self.assertNotIn(absent, u)
        # invite with a user type
        shared = self.email("shared")
        self.invite(aid, shared, UserType="SharedDevice")
        self.assertEqual(self.user_by_email(aid, shared)["UserType"], "SharedDevice")

    def test_reinvite_and_failed_invites(self):
        aid = self.new_account()["AccountId"]
        e = self.email("again")
        first = self.invite(aid, e)[0]
        u1 = self.user_by_email(aid, e)
        time.sleep(0.01)
        second = self.invite(aid, e.upper().replace("@EXAMPLE.COM", "@example.com"))[0]
        self.assertEqual(second["Status"], "Pending")
        self.assertNotEqual(second["InviteId"], first["InviteId"])
        u2 = self.user_by_email(aid, e)
        self.assertEqual(u2["UserId"], u1["UserId"])
        self.assertGreaterEqual(u2["InvitedOn"], u1["InvitedOn"])
        self.assertEqual(len(self.chime.list_users(AccountId=aid)["Users"]), 1)
        # a registered member cannot be invited again
        self.register(aid, u1["UserId"])
        inv = self.invite(aid, e)[0]
        self.assertEqual((inv["Status"], inv["EmailStatus"]), ("Failed", "NotSent"))
        # nor can the user of another account of the same AWS account
        other = self.new_account()["AccountId"]
        inv = self.invite(other, e)[0]
        self.assertEqual((inv["Status"], inv["EmailStatus"]), ("Failed", "NotSent"))
        self.assertEqual(self.chime.list_users(AccountId=other)["Users"], [])

    def test_invite_users_errors(self):
        aid = self.new_account()["AccountId"]
        self.assertBadRequest(self.chime.invite_users, AccountId=aid, UserEmailList=["not-an-email"])
        self.assertBadRequest(self.chime.invite_users, AccountId=aid,
                              UserEmailList=[self.email("ok"), "no-at-sign.example.com"])
        self.assertBadRequest(self.chime.invite_users, AccountId=aid,
                              UserEmailList=[self.email("many%d" % i) for i in range(51)])
        self.assertBadRequest(self.chime.invite_users, AccountId=aid, UserEmailList=[self.email()], UserType="Robot")
        self.assertEqual(self.chime.list_users(AccountId=aid)["Users"], [])  # nothing half-done
        self.assertNotFound(self.chime.invite_users, AccountId=str(uuid.uuid4()), UserEmailList=[self.email()])
        lwa = self.new_account()["AccountId"]
        self.set_type(lwa, "EnterpriseLWA")
        self.assertBadRequest(self.chime.invite_users, AccountId=lwa, UserEmailList=[self.email()])

    def test_register_control_endpoint(self):
        aid = self.new_account()["AccountId"]
        u = self.invited_user(aid)
        self.register(aid, u["UserId"], "Mateo Jackson")
        resp = self.chime.get_user(AccountId=aid, UserId=u["UserId"])
        self.assertMeta(resp, 200)
        got = resp["User"]
        self.assertEqual(got["UserRegistrationStatus"], "Registered")
        self.assertEqual(got["UserInvitationStatus"], "Accepted")
        self.assertEqual(got["DisplayName"], "Mateo Jackson")
        self.assertRegex(got["PersonalPIN"], PIN_RE)
        self.assertRecent(got["RegisteredOn"])
        self.assertRecent(got["InvitedOn"])
        status, body = SERVER.control("POST", "/_chimed/accounts/%s/users/%s/register" % (aid, uuid.uuid4()), {})
        self.assertEqual(status, 404, body)
        status, body = SERVER.control("PUT", "/_chimed/accounts/%s/type" % aid, {"AccountType": "Gold"})
        self.assertEqual(status, 400, body)

    def test_create_user(self):
        aid = self.directory_account()["AccountId"]
        email = self.email("Created")
        resp = self.chime.create_user(AccountId=aid, Username="Shared Room", Email=email, UserType="SharedDevice")
        self.assertMeta(resp, 201)
        u = resp["User"]
        self.assertRegex(u["UserId"], UUID_RE)
        self.assertEqual(u["AccountId"], aid)
        self.assertEqual(u["PrimaryEmail"], email)
        self.assertEqual(u["DisplayName"], "Shared Room")
        self.assertEqual(u["UserType"], "SharedDevice")
        self.assertEqual(u["LicenseType"], "Pro")
        self.assertEqual(u["UserRegistrationStatus"], "Registered")
        self.assertRecent(u["RegisteredOn"])
        self.assertRegex(u["PersonalPIN"], PIN_RE)
        self.assertNotIn("UserInvitationStatus", u)
        self.assertNotIn("InvitedOn", u)
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=u["UserId"])["User"], u)
        # default user type
        plain = self.chime.create_user(AccountId=aid, Email=self.email("plain"))["User"]
        self.assertEqual(plain["UserType"], "PrivateUser")
        self.assertNotEqual(plain["PersonalPIN"], u["PersonalPIN"])

    def test_create_user_conflict(self):
        aid = self.directory_account()["AccountId"]
        email = self.email("Taken")
        self.chime.create_user(AccountId=aid, Email=email)
        self.assertChimeError("ConflictException", "Conflict", 409,
                              self.chime.create_user, AccountId=aid, Email=email)
        self.assertChimeError("ConflictException", "Conflict", 409,
                              self.chime.create_user, AccountId=aid, Email=email.upper())
        # the email is taken in every account of the same AWS account
        other = self.directory_account()["AccountId"]
        self.assertChimeError("ConflictException", "Conflict", 409,
                              self.chime.create_user, AccountId=other, Email=email)
        # ... and an invitee holds the address too
        team = self.new_account()["AccountId"]
        invited = self.email("invitee")
        self.invite(team, invited)
        self.assertChimeError("ConflictException", "Conflict", 409,
                              self.chime.create_user, AccountId=aid, Email=invited)
        # another AWS account is free to use it
        other_client = SERVER.client(OTHER_AWS_ACCOUNT)
        theirs = other_client.create_account(Name="Conflict other %s" % RUN)["Account"]["AccountId"]
        SERVER.control("PUT", "/_chimed/accounts/%s/type" % theirs, {"AccountType": "EnterpriseOIDC"},
                       aws_account_id=OTHER_AWS_ACCOUNT)
        self.assertMeta(other_client.create_user(AccountId=theirs, Email=email), 201)

    def test_create_user_errors(self):
        aid = self.directory_account()["AccountId"]
        self.assertBadRequest(self.chime.create_user, AccountId=aid)  # Email is needed
        self.assertBadRequest(self.chime.create_user, AccountId=aid, Email="nope")
        self.assertBadRequest(self.chime.create_user, AccountId=aid, Email=self.email(), UserType="Robot")
        self.assertNotFound(self.chime.create_user, AccountId=str(uuid.uuid4()), Email=self.email())
        team = self.new_account()["AccountId"]
        self.assertBadRequest(self.chime.create_user, AccountId=team, Email=self.email())
        lwa = self.new_account()["AccountId"]
        self.set_type(lwa, "EnterpriseLWA")
        self.assertBadRequest(self.chime.create_user, AccountId=lwa, Email=self.email())

    def test_get_user(self):
        aid = self.new_account()["AccountId"]
        u = self.invited_user(aid)
        got = self.chime.get_user(AccountId=aid, UserId=u["UserId"])["User"]
        self.assertEqual(got, u)  # an unregistered invitee has no PIN yet
        self.assertNotFound(self.chime.get_user, AccountId=aid, UserId=str(uuid.uuid4()))
        other = self.new_account()["AccountId"]
        self.assertNotFound(self.chime.get_user, AccountId=other, UserId=u["UserId"])
        self.assertNotFound(self.chime.get_user, AccountId=str(uuid.uuid4()), UserId=u["UserId"])

    def test_list_users_filters(self):
        aid = self.new_account()["AccountId"]
        e1, e2, e3 = self.email("Filter.One"), self.email("filter.two"), self.email("shared")
        self.invite(aid, e1, e2)
        self.invite(aid, e3, UserType="SharedDevice")
        for e in (e1, e1.lower(), e1.upper()):
            got = self.chime.list_users(AccountId=aid, UserEmail=e)["Users"]
            self.assertEqual([u["PrimaryEmail"] for u in got], [e1], e)  # stored as first supplied
        self.assertEqual(self.chime.list_users(AccountId=aid, UserEmail=self.email("missing"))["Users"], [])
        # exact match, not a prefix
        self.assertEqual(self.chime.list_users(AccountId=aid, UserEmail=e1[:-1])["Users"], [])
        shared = self.chime.list_users(AccountId=aid, UserType="SharedDevice")["Users"]
        self.assertEqual([u["PrimaryEmail"] for u in shared], [e3])
        private = self.chime.list_users(AccountId=aid, UserType="PrivateUser")["Users"]
        self.assertEqual([u["PrimaryEmail"] for u in private], [e1, e2])
        self.assertEqual(self.chime.list_users(AccountId=aid, UserEmail=e3, UserType="PrivateUser")["Users"], [])
        self.assertBadRequest(self.chime.list_users, AccountId=aid, UserType="Robot")
        self.assertBadRequest(self.chime.list_users, AccountId=aid, UserEmail="not-an-email")
        self.assertBadRequest(self.chime.list_users, AccountId=aid, MaxResults=201)
        self.assertBadRequest(self.chime.list_users, AccountId=aid, NextToken="bogus")
        self.assertNotFound(self.chime.list_users, AccountId=str(uuid.uuid4()))
        # a token is bound to its filters and its account
        tok = self.chime.list_users(AccountId=aid, UserType="PrivateUser", MaxResults=1)["NextToken"]
        self.assertEqual(len(self.chime.list_users(AccountId=aid, UserType="PrivateUser", MaxResults=1,
                                                   NextToken=tok)["Users"]), 1)
        self.assertBadRequest(self.chime.list_users, AccountId=aid, MaxResults=1, NextToken=tok)
        other = self.new_account()["AccountId"]
        self.assertBadRequest(self.chime.list_users, AccountId=other, UserType="PrivateUser", MaxResults=1,
                              NextToken=tok)

    def test_list_users_paginator_250(self):
        aid = self.new_account()["AccountId"]
        emails = [self.email("p%03d" % i) for i in range(250)]
        for i in range(0, 250, 50):
            self.invite(aid, *emails[i:i + 50])
        paginator = self.chime.get_paginator("list_users")
        pages = list(paginator.paginate(AccountId=aid, PaginationConfig={"PageSize": 100}))
        self.assertEqual([len(p["Users"]) for p in pages], [100, 100, 50])
        got = [u["PrimaryEmail"] for p in pages for u in p["Users"]]
        self.assertEqual(got, emails)  # each user exactly once, in creation order
        self.assertEqual(len({u["UserId"] for p in pages for u in p["Users"]}), 250)
        self.assertNotIn("NextToken", pages[-1])
        for p in pages:
            self.assertMeta(p, 200)
            for u in p["Users"]:
                self.assertNotIn("PersonalPIN", u)
        # default page size is 100
        first = self.chime.list_users(AccountId=aid)
        self.assertEqual(len(first["Users"]), 100)
        self.assertIn("NextToken", first)
        # MaxItems / StartingToken resume across page boundaries
        part = paginator.paginate(AccountId=aid, PaginationConfig={"PageSize": 100, "MaxItems": 130}).build_full_result()
        self.assertEqual([u["PrimaryEmail"] for u in part["Users"]], emails[:130])
        rest = paginator.paginate(AccountId=aid, PaginationConfig={"PageSize": 100,
                                                                   "StartingToken": part["NextToken"]})
        self.assertEqual([u["PrimaryEmail"] for p in rest for u in p["Users"]], emails[130:])

    def test_update_user(self):
        aid = self.new_account()["AccountId"]
        u = self.invited_user(aid)
        uid = u["UserId"]
        resp = self.chime.update_user(AccountId=aid, UserId=uid, LicenseType="Basic")
        self.assertMeta(resp, 200)
        self.assertEqual(resp["User"]["UserId"], uid)
        self.assertEqual(resp["User"]["LicenseType"], "Basic")
        resp = self.chime.update_user(AccountId=aid, UserId=uid, UserType="SharedDevice",
                                      AlexaForBusinessMetadata={"IsAlexaForBusinessEnabled": True,
                                                                "AlexaForBusinessRoomArn": "arn:aws:a4b:room/1"})
        self.assertEqual(resp["User"]["UserType"], "SharedDevice")
        self.assertEqual(resp["User"]["LicenseType"], "Basic")
        self.assertEqual(resp["User"]["AlexaForBusinessMetadata"],
                         {"IsAlexaForBusinessEnabled": True, "AlexaForBusinessRoomArn": "arn:aws:a4b:room/1"})
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=uid)["User"], resp["User"])
        # ListUsers (answered from the store's packed listing) shows the update as GetUser does, PIN aside
        listed = [u for u in self.chime.list_users(AccountId=aid)["Users"] if u["UserId"] == uid]
        shown = dict(resp["User"])
        shown.pop("PersonalPIN", None)
        self.assertEqual(listed, [shown])
        self.assertEqual(self.chime.update_user(AccountId=aid, UserId=uid)["User"], resp["User"])
        self.assertBadRequest(self.chime.update_user, AccountId=aid, UserId=uid, LicenseType="Plus")
        self.assertBadRequest(self.chime.update_user, AccountId=aid, UserId=uid, LicenseType="Gold")
        self.assertBadRequest(self.chime.update_user, AccountId=aid, UserId=uid, UserType="Robot")
        self.assertNotFound(self.chime.update_user, AccountId=aid, UserId=str(uuid.uuid4()), LicenseType="Pro")
        self.assertNotFound(self.chime.update_user, AccountId=str(uuid.uuid4()), UserId=uid, LicenseType="Pro")

    def test_batch_update_user(self):
        aid = self.new_account()["AccountId"]
        a, b = self.invited_user(aid), self.invited_user(aid)
        missing = str(uuid.uuid4())
        resp = self.chime.batch_update_user(AccountId=aid, UpdateUserRequestItems=[
            {"UserId": a["UserId"], "LicenseType": "Basic"},
            {"UserId": b["UserId"], "UserType": "SharedDevice"},
            {"UserId": missing, "LicenseType": "Basic"},
        ])
        self.assertMeta(resp, 200)
        self.assertEqual(len(resp["UserErrors"]), 1, resp["UserErrors"])
        self.assertEqual(resp["UserErrors"][0]["UserId"], missing)
        self.assertEqual(resp["UserErrors"][0]["ErrorCode"], "NotFound")
        self.assertTrue(resp["UserErrors"][0]["ErrorMessage"])
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=a["UserId"])["User"]["LicenseType"], "Basic")
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=b["UserId"])["User"]["UserType"], "SharedDevice")
        # a license the account does not support fails per item
        resp = self.chime.batch_update_user(AccountId=aid, UpdateUserRequestItems=[
            {"UserId": a["UserId"], "LicenseType": "Plus"}, {"UserId": b["UserId"], "LicenseType": "Basic"}])
        self.assertEqual([(e["UserId"], e["ErrorCode"]) for e in resp["UserErrors"]], [(a["UserId"], "BadRequest")])
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=b["UserId"])["User"]["LicenseType"], "Basic")
        ok = self.chime.batch_update_user(AccountId=aid, UpdateUserRequestItems=[{"UserId": a["UserId"],
                                                                                  "LicenseType": "Pro"}])
        self.assertEqual(ok["UserErrors"], [])
        # whole-request errors
        self.assertBadRequest(self.chime.batch_update_user, AccountId=aid,
                              UpdateUserRequestItems=[{"UserId": str(uuid.uuid4())} for _ in range(21)])
        self.assertBadRequest(self.chime.batch_update_user, AccountId=aid,
                              UpdateUserRequestItems=[{"UserId": a["UserId"], "LicenseType": "Gold"}])
        self.assertBadRequest(self.chime.batch_update_user, AccountId=aid,
                              UpdateUserRequestItems=[{"UserId": "  "}])
        self.assertNotFound(self.chime.batch_update_user, AccountId=str(uuid.uuid4()),
                            UpdateUserRequestItems=[{"UserId": a["UserId"], "LicenseType": "Basic"}])

    def test_batch_suspend_team_users_removes_them(self):
        aid = self.new_account()["AccountId"]
        keep = self.invited_user(aid)
        gone_email = self.email("gone")
        gone = self.invited_user(aid, gone_email)
        self.register(aid, gone["UserId"])
        missing = str(uuid.uuid4())
        resp = self.chime.batch_suspend_user(AccountId=aid, UserIdList=[gone["UserId"], missing])
        self.assertMeta(resp, 200)
        self.assertEqual([(e["UserId"], e["ErrorCode"]) for e in resp["UserErrors"]], [(missing, "NotFound")])
        self.assertNotFound(self.chime.get_user, AccountId=aid, UserId=gone["UserId"])
        self.assertEqual([u["UserId"] for u in self.chime.list_users(AccountId=aid)["Users"]], [keep["UserId"]])
        self.assertEqual(self.chime.list_users(AccountId=aid, UserEmail=gone_email)["Users"], [])
        # the address is free again: inviting it brings the user back as a new pending invitee
        inv = self.invite(aid, gone_email)[0]
        self.assertEqual(inv["Status"], "Pending")
        back = self.user_by_email(aid, gone_email)
        self.assertEqual(back["UserRegistrationStatus"], "Unregistered")
        self.assertEqual(back["UserInvitationStatus"], "Pending")
        # empty list is fine; too many ids or blank ids are not
        self.assertEqual(self.chime.batch_suspend_user(AccountId=aid, UserIdList=[])["UserErrors"], [])
        self.assertBadRequest(self.chime.batch_suspend_user, AccountId=aid,
                              UserIdList=[str(uuid.uuid4()) for _ in range(51)])
        self.assertBadRequest(self.chime.batch_suspend_user, AccountId=aid, UserIdList=[" "])
        self.assertNotFound(self.chime.batch_suspend_user, AccountId=str(uuid.uuid4()), UserIdList=[keep["UserId"]])

    def test_batch_suspend_and_unsuspend_lwa(self):
        a, users = self.lwa_account_with_users(3)
        aid = a["AccountId"]
        ids = [u["UserId"] for u in users]
        resp = self.chime.batch_suspend_user(AccountId=aid, UserIdList=ids[:2])
        self.assertMeta(resp, 200)
        self.assertEqual(resp["UserErrors"], [])
        states = {u["UserId"]: u["UserRegistrationStatus"] for u in self.chime.list_users(AccountId=aid)["Users"]}
        self.assertEqual(states, {ids[0]: "Suspended", ids[1]: "Suspended", ids[2]: "Registered"})
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=ids[0])["User"]["UserRegistrationStatus"],
                         "Suspended")
        # suspending again is a no-op
        self.assertEqual(self.chime.batch_suspend_user(AccountId=aid, UserIdList=ids[:1])["UserErrors"], [])
        missing = str(uuid.uuid4())
        resp = self.chime.batch_unsuspend_user(AccountId=aid, UserIdList=[ids[0], ids[2], missing])
        self.assertMeta(resp, 200)
        self.assertEqual([(e["UserId"], e["ErrorCode"]) for e in resp["UserErrors"]], [(missing, "NotFound")])
        states = {u["UserId"]: u["UserRegistrationStatus"] for u in self.chime.list_users(AccountId=aid)["Users"]}
        self.assertEqual(states, {ids[0]: "Registered", ids[1]: "Suspended", ids[2]: "Registered"})
        self.assertBadRequest(self.chime.batch_unsuspend_user, AccountId=aid,
                              UserIdList=[str(uuid.uuid4()) for _ in range(51)])
        self.assertNotFound(self.chime.batch_unsuspend_user, AccountId=str(uuid.uuid4()), UserIdList=ids[:1])

    def test_batch_operations_refused_by_account_type(self):
        team = self.new_account()["AccountId"]
        u = self.invited_user(team)
        self.assertBadRequest(self.chime.batch_unsuspend_user, AccountId=team, UserIdList=[u["UserId"]])
        directory = self.directory_account()["AccountId"]
        du = self.chime.create_user(AccountId=directory, Email=self.email("dir"))["User"]
        self.assertBadRequest(self.chime.batch_suspend_user, AccountId=directory, UserIdList=[du["UserId"]])
        self.assertBadRequest(self.chime.batch_unsuspend_user, AccountId=directory, UserIdList=[du["UserId"]])
        self.assertEqual(self.chime.get_user(AccountId=directory, UserId=du["UserId"])["User"]
                         ["UserRegistrationStatus"], "Registered")

    def test_logout_user(self):
        aid = self.new_account()["AccountId"]
        u = self.invited_user(aid)
        self.register(aid, u["UserId"])
        before = self.chime.get_user(AccountId=aid, UserId=u["UserId"])["User"]
        resp = self.chime.logout_user(AccountId=aid, UserId=u["UserId"])
        self.assertMeta(resp, 204)
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=u["UserId"])["User"], before)
        self.assertNotFound(self.chime.logout_user, AccountId=aid, UserId=str(uuid.uuid4()))
        self.assertNotFound(self.chime.logout_user, AccountId=str(uuid.uuid4()), UserId=u["UserId"])

    def test_reset_personal_pin(self):
        aid = self.new_account()["AccountId"]
        u = self.invited_user(aid)
        uid = u["UserId"]
        old = self.register(aid, uid)["PersonalPIN"]
        self.assertRegex(old, PIN_RE)
        pins = {old}
        for _ in range(3):
            resp = self.chime.reset_personal_pin(AccountId=aid, UserId=uid)
            self.assertMeta(resp, 200)
            pin = resp["User"]["PersonalPIN"]
            self.assertRegex(pin, PIN_RE)
            self.assertNotIn(pin, pins)  # always a different PIN
            pins.add(pin)
            self.assertEqual(resp["User"]["UserId"], uid)
            self.assertEqual(self.chime.get_user(AccountId=aid, UserId=uid)["User"]["PersonalPIN"], pin)
        # also works for an invitee that has no PIN yet
        fresh = self.invited_user(aid)
        self.assertRegex(self.chime.reset_personal_pin(AccountId=aid, UserId=fresh["UserId"])["User"]["PersonalPIN"],
                         PIN_RE)
        self.assertNotFound(self.chime.reset_personal_pin, AccountId=aid, UserId=str(uuid.uuid4()))
        self.assertNotFound(self.chime.reset_personal_pin, AccountId=str(uuid.uuid4()), UserId=uid)


# ==============================================================================================================
# Lifecycle details: duplicates, removed and deleted users, paging while the list changes, concurrency
# ==============================================================================================================


class LifecycleTests(ChimeTestCase):

    def test_duplicates_in_one_request(self):
        aid = self.new_account()["AccountId"]
        e = self.email("dup")
        invites = self.invite(aid, e, e.upper())
        self.assertEqual(len(invites), 2)
        self.assertEqual(len(self.chime.list_users(AccountId=aid)["Users"]), 1)
        uid = self.user_by_email(aid, e)["UserId"]
        missing = str(uuid.uuid4())
        resp = self.chime.batch_update_user(AccountId=aid, UpdateUserRequestItems=[
            {"UserId": uid, "LicenseType": "Basic"}, {"UserId": uid, "LicenseType": "Basic"},
            {"UserId": missing}, {"UserId": missing}])
        self.assertEqual([(x["UserId"], x["ErrorCode"]) for x in resp["UserErrors"]], [(missing, "NotFound")])
        resp = self.chime.batch_suspend_user(AccountId=aid, UserIdList=[missing, missing, uid, uid])
        self.assertEqual([(x["UserId"], x["ErrorCode"]) for x in resp["UserErrors"]], [(missing, "NotFound")])
        self.assertEqual(self.chime.batch_update_user(AccountId=aid, UpdateUserRequestItems=[])["UserErrors"], [])

    def test_existing_users_keep_their_license(self):
        aid = self.new_account()["AccountId"]
        before = self.invited_user(aid)
        self.chime.update_account(AccountId=aid, DefaultLicense="Basic")
        self.assertEqual(self.chime.get_user(AccountId=aid, UserId=before["UserId"])["User"]["LicenseType"], "Pro")

    def test_removed_team_user_comes_back_as_a_new_user(self):
        aid = self.new_account()["AccountId"]
        e = self.email("back")
        old = self.invited_user(aid, e)
        self.register(aid, old["UserId"])
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[old["UserId"]])
        self.assertEqual(self.chime.list_accounts(UserEmail=e)["Accounts"], [])
        self.assertNotFound(self.chime.update_user, AccountId=aid, UserId=old["UserId"], LicenseType="Basic")
        self.assertNotFound(self.chime.reset_personal_pin, AccountId=aid, UserId=old["UserId"])
        # the address is free in every account of the AWS account
        other = self.new_account()["AccountId"]
        self.assertEqual(self.invite(other, e)[0]["Status"], "Pending")
        new = self.user_by_email(other, e)
        self.assertNotEqual(new["UserId"], old["UserId"])
        self.assertEqual(new["UserRegistrationStatus"], "Unregistered")
        self.assertNotIn("PersonalPIN", self.chime.get_user(AccountId=other, UserId=new["UserId"])["User"])

    def test_users_of_a_deleted_account_are_gone(self):
        a, users = self.lwa_account_with_users(1)
        aid, u = a["AccountId"], users[0]
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[u["UserId"]])
        self.assertMeta(self.chime.delete_account(AccountId=aid), 204)
        self.assertEqual(self.chime.list_accounts(UserEmail=u["PrimaryEmail"])["Accounts"], [])
        directory = self.directory_account()["AccountId"]
        self.assertMeta(self.chime.create_user(AccountId=directory, Email=u["PrimaryEmail"]), 201)

    def test_suspended_lwa_user_cannot_register_and_keeps_the_email(self):
        a, users = self.lwa_account_with_users(1)
        aid, u = a["AccountId"], users[0]
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[u["UserId"]])
        status, body = SERVER.control("POST", "/_chimed/accounts/%s/users/%s/register" % (aid, u["UserId"]), {})
        self.assertEqual(status, 400, body)
        team = self.new_account()["AccountId"]
        self.assertEqual(self.invite(team, u["PrimaryEmail"])[0]["Status"], "Failed")

    def test_paging_while_users_come_and_go(self):
        aid = self.new_account()["AccountId"]
        emails = [self.email("cg%d" % i) for i in range(5)]
        self.invite(aid, *emails)
        page = self.chime.list_users(AccountId=aid, MaxResults=2)
        self.assertEqual([u["PrimaryEmail"] for u in page["Users"]], emails[:2])
        # remove the user the token points after, and one not yet listed; add a new one
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[page["Users"][1]["UserId"],
                                                                 self.user_by_email(aid, emails[3])["UserId"]])
        late = self.email("late")
        self.invite(aid, late)
        rest = []
        tok = page["NextToken"]
        while tok:
            p = self.chime.list_users(AccountId=aid, MaxResults=2, NextToken=tok)
            rest += [u["PrimaryEmail"] for u in p["Users"]]
            tok = p.get("NextToken")
        self.assertEqual(rest, [emails[2], emails[4], late])

    def test_concurrent_create_user_same_email(self):
        from concurrent.futures import ThreadPoolExecutor
        aid = self.directory_account()["AccountId"]
        e = self.email("race")
        clients = [SERVER.client() for _ in range(8)]

        def attempt(c):
            try:
                return c.create_user(AccountId=aid, Email=e)["ResponseMetadata"]["HTTPStatusCode"]
            except botocore.exceptions.ClientError as err:
                return err.response["Error"]["Code"]

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(attempt, clients))
        self.assertEqual(sorted(results, key=str), sorted([201] + ["ConflictException"] * 7, key=str), results)
        self.assertEqual(len(self.chime.list_users(AccountId=aid, UserEmail=e)["Users"]), 1)

    def test_concurrent_invites_of_one_address_to_two_accounts(self):
        from concurrent.futures import ThreadPoolExecutor
        a1, a2 = self.new_account()["AccountId"], self.new_account()["AccountId"]
        e = self.email("race2")
        jobs = [a1, a2] * 4
        clients = [SERVER.client() for _ in jobs]
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda ca: ca[0].invite_users(AccountId=ca[1], UserEmailList=[e]),
                                    zip(clients, jobs)))
        for r in results:
            self.assertEqual(self.status(r), 201)
        held = [aid for aid in (a1, a2) if self.chime.list_users(AccountId=aid, UserEmail=e)["Users"]]
        self.assertEqual(len(held), 1, "the address must belong to exactly one account")


# ==============================================================================================================
# Unusual characters in path labels and query values
# ==============================================================================================================

ODD_IDS = ["a b", "ünïcödé-名前", "100%", "100%25", "a/b", "a+b", "a?b=c", "a#b", "a&b", "a;b", "~tilde~",
           "%2F", "a%20b", "'\"<>", "a:b@c", "é/..", "x" * 300]


class UnusualCharacterTests(ChimeTestCase):

    def test_odd_account_ids_are_not_found(self):
        for aid in ODD_IDS:
            with self.subTest(account_id=aid):
                self.assertNotFound(self.chime.get_account, AccountId=aid)
                self.assertNotFound(self.chime.get_account_settings, AccountId=aid)
                self.assertNotFound(self.chime.list_users, AccountId=aid)
                self.assertNotFound(self.chime.update_account, AccountId=aid, Name="x")
                self.assertNotFound(self.chime.delete_account, AccountId=aid)
                self.assertNotFound(self.chime.invite_users, AccountId=aid, UserEmailList=[self.email()])

    def test_odd_user_ids_are_not_found(self):
        aid = self.new_account()["AccountId"]
        for uid in ODD_IDS:
            with self.subTest(user_id=uid):
                self.assertNotFound(self.chime.get_user, AccountId=aid, UserId=uid)
                self.assertNotFound(self.chime.update_user, AccountId=aid, UserId=uid, LicenseType="Basic")
                self.assertNotFound(self.chime.logout_user, AccountId=aid, UserId=uid)
                self.assertNotFound(self.chime.reset_personal_pin, AccountId=aid, UserId=uid)
        resp = self.chime.batch_suspend_user(AccountId=aid, UserIdList=ODD_IDS)
        self.assertEqual(sorted(e["UserId"] for e in resp["UserErrors"]), sorted(ODD_IDS))
        self.assertEqual({e["ErrorCode"] for e in resp["UserErrors"]}, {"NotFound"})

    def test_blank_ids_are_bad_requests(self):
        aid = self.new_account()["AccountId"]
        for blank in (" ", "   ", "\t"):
            with self.subTest(id=blank):
                self.assertBadRequest(self.chime.get_account, AccountId=blank)
                self.assertBadRequest(self.chime.get_user, AccountId=aid, UserId=blank)
        # botocore sends an empty label as-is: GET /accounts/, GET /accounts//users/u
        self.assertBadRequest(self.chime.get_account, AccountId="")
        self.assertBadRequest(self.chime.get_user, AccountId=aid, UserId="")
        self.assertBadRequest(self.chime.get_user, AccountId="", UserId=str(uuid.uuid4()))
        self.assertBadRequest(self.chime.list_users, AccountId="")
        self.assertBadRequest(self.chime.invite_users, AccountId="", UserEmailList=[self.email()])

    def test_oversized_bodies_are_bad_requests(self):
        aid = self.new_account()["AccountId"]
        self.assertBadRequest(self.chime.create_account, Name="x" * 1_100_000)  # D17: at most 1 MiB
        self.assertBadRequest(self.chime.invite_users, AccountId=aid, UserEmailList=["a@b.co" * 500_000])
        self.assertEqual(self.chime.list_users(AccountId=aid)["Users"], [])

    def test_dot_segments_never_forbidden_or_server_errors(self):
        # "." and ".." labels are normalized away by SigV4 signers; the server must still answer a typed 4xx
        for odd in (".", ".."):
            with self.subTest(id=odd):
                try:
                    self.chime.get_account(AccountId=odd)
                    self.fail("no error for %r" % odd)
                except botocore.exceptions.ClientError as e:
                    st = e.response["ResponseMetadata"]["HTTPStatusCode"]
                    self.assertIn(st, (400, 404), e.response)
                    self.assertIsInstance(e, (self.exc.NotFoundException, self.exc.BadRequestException),
                                          e.response)

    def test_query_values_with_plus_at_space(self):
        aid = self.new_account()["AccountId"]
        plus = "first+tag-%s@example.com" % RUN
        spaced = "first last-%s@example.com" % RUN
        odd = "ü%%41&x=y#-%s@exämple.com" % RUN
        self.invite(aid, plus, spaced, odd)
        for e in (plus, spaced, odd):
            with self.subTest(email=e):
                got = self.chime.list_users(AccountId=aid, UserEmail=e)["Users"]
                self.assertEqual([u["PrimaryEmail"] for u in got], [e])
                accts = self.chime.list_accounts(UserEmail=e)["Accounts"]
                self.assertEqual([a["AccountId"] for a in accts], [aid])
        # "+" is not a space: the other address does not match
        self.assertEqual(self.chime.list_users(AccountId=aid, UserEmail=plus.replace("+", " "))["Users"], [])

    def test_account_name_filter_with_odd_characters(self):
        name = "R&D + ops @ HQ 100%% = #1 ünï/%s?" % RUN
        aid = self.new_account(name=name)["AccountId"]
        for prefix in (name, name[:8], "R&D + ops @", "R&D + ops @ HQ 100%"):
            with self.subTest(prefix=prefix):
                got = self.chime.list_accounts(Name=prefix)["Accounts"]
                self.assertIn(aid, [a["AccountId"] for a in got])
        self.assertEqual(self.chime.list_accounts(Name="R&D   ops @ HQ %s" % RUN)["Accounts"], [])
        # no LIKE-style wildcards: "_" and "%" are literal characters
        lit = self.new_account(name="Wild_%s one" % RUN)["AccountId"]
        self.new_account(name="WildX%s two" % RUN)
        self.assertEqual([a["AccountId"] for a in self.chime.list_accounts(Name="Wild_%s" % RUN)["Accounts"]], [lit])
        self.assertEqual(self.chime.list_accounts(Name="Wild%%%s" % RUN)["Accounts"], [])
        self.assertEqual(self.chime.list_accounts(Name="Wild_%s one" % RUN[:-1])["Accounts"], [])
        self.assertEqual(self.chime.get_account(AccountId=aid)["Account"]["Name"], name)


# ==============================================================================================================
# Phone number search and countries (docs/behavior.md §4.24, §4.25; D21, D22, D30)
# ==============================================================================================================


class PhoneNumberSearchTests(ChimeTestCase):

    def test_list_supported_phone_number_countries(self):
        resp = self.chime.list_supported_phone_number_countries(ProductType="BusinessCalling")
        self.assertMeta(resp, 200)
        self.assertEqual(resp["PhoneNumberCountries"],
                         [{"CountryCode": "US", "SupportedPhoneNumberTypes": ["Local"]}])
        resp = self.chime.list_supported_phone_number_countries(ProductType="SipMediaApplicationDialIn")
        self.assertEqual([(c["CountryCode"], c["SupportedPhoneNumberTypes"]) for c in resp["PhoneNumberCountries"]],
                         [("AU", ["Local", "TollFree"]), ("DE", ["Local"]), ("FR", ["Local"]),
                          ("GB", ["Local", "TollFree"]), ("US", ["Local", "TollFree"])])
        # botocore sends an unknown enum value; the server refuses it.
        self.assertBadRequest(self.chime.list_supported_phone_number_countries, ProductType="Nope")

    def test_search_by_area_code(self):
        # botocore puts the selector first: GET /search?type=phone-numbers&area-code=206&max-results=5
        resp = self.chime.search_available_phone_numbers(AreaCode="206", MaxResults=5)
        self.assertMeta(resp, 200)
        self.assertEqual(resp["E164PhoneNumbers"], ["+1206555%04d" % n for n in range(100, 105)])
        nxt = self.chime.search_available_phone_numbers(AreaCode="206", MaxResults=5, NextToken=resp["NextToken"])
        self.assertEqual(nxt["E164PhoneNumbers"], ["+1206555%04d" % n for n in range(105, 110)])
        # the default page is 10
        self.assertEqual(len(self.chime.search_available_phone_numbers(State="WA")["E164PhoneNumbers"]), 10)

    def test_search_other_countries_and_whole_pool(self):
        resp = self.chime.search_available_phone_numbers(Country="GB", PhoneNumberType="TollFree", MaxResults=2)
        self.assertEqual(resp["E164PhoneNumbers"], ["+448081570000", "+448081570001"])
        resp = self.chime.search_available_phone_numbers(Country="AU", PhoneNumberType="TollFree", MaxResults=100)
        self.assertEqual(resp["E164PhoneNumbers"], ["+611800160%d" % n for n in range(400, 500)])
        self.assertNotIn("NextToken", resp)

    def test_search_refusals(self):
        # botocore checks only `min`: these reach the server, which refuses each.
        for kw in [dict(), dict(PhoneNumberType="Local"), dict(Country="CA", PhoneNumberType="Local"),
                   dict(City="Seattle"), dict(State="ZZ"), dict(AreaCode="911"), dict(AreaCode="800"),
                   dict(TollFreePrefix="8000"), dict(TollFreePrefix="800", AreaCode="206"),
                   dict(TollFreePrefix="800", PhoneNumberType="Local"), dict(State="WA", PhoneNumberType="TollFree"),
                   dict(Country="GB"), dict(Country="DE", PhoneNumberType="TollFree"),
                   dict(AreaCode="206", MaxResults=501), dict(AreaCode="206", NextToken="garbage")]:
            with self.subTest(**kw):
                self.assertBadRequest(self.chime.search_available_phone_numbers, **kw)
        with self.assertRaises(botocore.exceptions.ParamValidationError):  # `min` is checked by botocore
            self.chime.search_available_phone_numbers(AreaCode="206", MaxResults=0)

    def test_search_documented_example(self):
        # awscli/examples/chime/search-available-phone-numbers.rst: --area-code "206", no --max-results
        resp = self.chime.search_available_phone_numbers(AreaCode="206")
        self.assertMeta(resp, 200)
        self.assertEqual(resp["E164PhoneNumbers"], ["+1206555%04d" % n for n in range(100, 110)])
        self.assertTrue(resp.get("NextToken"))
        # searching reserves nothing: the same ten again
        self.assertEqual(self.chime.search_available_phone_numbers(AreaCode="206")["E164PhoneNumbers"],
                         resp["E164PhoneNumbers"])
        # a token is bound to its filters
        self.assertBadRequest(self.chime.search_available_phone_numbers, AreaCode="207", NextToken=resp["NextToken"])
        # toll-free, and the largest page
        resp = self.chime.search_available_phone_numbers(TollFreePrefix="888", MaxResults=500)
        self.assertEqual(len(resp["E164PhoneNumbers"]), 500)
        self.assertEqual(resp["E164PhoneNumbers"][:2], ["+18885550100", "+18885550101"])
        self.assertTrue(all(re.fullmatch(r"\+1888555\d{4}", n) for n in resp["E164PhoneNumbers"]))

    def test_list_supported_countries_voice_connector(self):
        resp = self.chime.list_supported_phone_number_countries(ProductType="VoiceConnector")
        self.assertMeta(resp, 200)
        self.assertEqual(resp["PhoneNumberCountries"],
                         [{"CountryCode": "US", "SupportedPhoneNumberTypes": ["Local", "TollFree"]}])
        with self.assertRaises(botocore.exceptions.ParamValidationError):  # ProductType is required
            self.chime.list_supported_phone_number_countries()
        self.assertBadRequest(self.chime.list_supported_phone_number_countries, ProductType="businesscalling")


# ==============================================================================================================
# User settings, sign-in delegate groups, retention, global settings (docs/behavior.md §4.18–§4.21)
# ==============================================================================================================


class SettingsTests(ChimeTestCase):

    def unvalidated_client(self, aws_account_id=MAIN_AWS_ACCOUNT):
        """A client that sends what botocore would refuse (parameter_validation off), to reach the server."""
        key, secret = SERVER.credentials(aws_account_id)
        return boto3.session.Session().client(
            "chime", endpoint_url=SERVER.endpoint, region_name=REGION,
            aws_access_key_id=key, aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False))

    def test_user_settings(self):
        aid = self.new_account()["AccountId"]
        uid = self.invited_user(aid)["UserId"]
        resp = self.chime.get_user_settings(AccountId=aid, UserId=uid)
        self.assertMeta(resp, 200)
        # awscli/examples/chime/get-user-settings.rst: all three on
        self.assertEqual(resp["UserSettings"], {"Telephony": {"InboundCalling": True, "OutboundCalling": True,
                                                              "SMS": True}})
        resp = self.chime.update_user_settings(AccountId=aid, UserId=uid, UserSettings={
            "Telephony": {"InboundCalling": False, "OutboundCalling": True, "SMS": False}})
        self.assertMeta(resp, 204)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set())
        self.assertEqual(self.chime.get_user_settings(AccountId=aid, UserId=uid)["UserSettings"]["Telephony"],
                         {"InboundCalling": False, "OutboundCalling": True, "SMS": False})
        # another user of the account keeps the defaults
        other = self.invited_user(aid)["UserId"]
        self.assertEqual(self.chime.get_user_settings(AccountId=aid, UserId=other)["UserSettings"]["Telephony"],
                         {"InboundCalling": True, "OutboundCalling": True, "SMS": True})
        # every account type has user settings
        d = self.directory_account()["AccountId"]
        du = self.chime.create_user(AccountId=d, Email=self.email("dir"))["User"]["UserId"]
        self.assertEqual(self.chime.get_user_settings(AccountId=d, UserId=du)["UserSettings"]["Telephony"]["SMS"], True)

    def test_user_settings_errors(self):
        aid = self.new_account()["AccountId"]
        uid = self.invited_user(aid)["UserId"]
        on = {"Telephony": {"InboundCalling": True, "OutboundCalling": True, "SMS": True}}
        missing = str(uuid.uuid4())
        self.assertNotFound(self.chime.get_user_settings, AccountId=aid, UserId=missing)
        self.assertNotFound(self.chime.update_user_settings, AccountId=aid, UserId=missing, UserSettings=on)
        self.assertNotFound(self.chime.get_user_settings, AccountId=missing, UserId=uid)
        self.assertNotFound(self.chime.update_user_settings, AccountId=missing, UserId=uid, UserSettings=on)
        # another AWS account cannot see them
        self.assertNotFound(SERVER.client(OTHER_AWS_ACCOUNT).get_user_settings, AccountId=aid, UserId=uid)
        # botocore refuses a missing boolean; sent anyway, the server refuses it too
        with self.assertRaises(botocore.exceptions.ParamValidationError):
            self.chime.update_user_settings(AccountId=aid, UserId=uid,
                                            UserSettings={"Telephony": {"InboundCalling": False}})
        raw = self.unvalidated_client()
        self.assertBadRequest(raw.update_user_settings, AccountId=aid, UserId=uid,
                              UserSettings={"Telephony": {"InboundCalling": False}})
        self.assertBadRequest(raw.update_user_settings, AccountId=aid, UserId=uid, UserSettings={})
        # nothing was changed by the refused updates
        self.assertEqual(self.chime.get_user_settings(AccountId=aid, UserId=uid)["UserSettings"], on)
        # a removed Team user has no settings any more
        self.chime.batch_suspend_user(AccountId=aid, UserIdList=[uid])
        self.assertNotFound(self.chime.get_user_settings, AccountId=aid, UserId=uid)

    def test_signin_delegate_groups(self):
        aid = self.directory_account()["AccountId"]
        resp = self.chime.associate_signin_delegate_groups_with_account(
            AccountId=aid, SigninDelegateGroups=[{"GroupName": "my_users"}, {"GroupName": "Admins"},
                                                 {"GroupName": "my_users"}])
        self.assertMeta(resp, 200)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set())
        self.assertEqual(self.chime.get_account(AccountId=aid)["Account"]["SigninDelegateGroups"],
                         [{"GroupName": "my_users"}, {"GroupName": "Admins"}])
        # set union in first-association order; names are case-sensitive; an empty list changes nothing
        self.chime.associate_signin_delegate_groups_with_account(
            AccountId=aid, SigninDelegateGroups=[{"GroupName": "admins"}, {"GroupName": "Admins"}])
        self.assertMeta(self.chime.associate_signin_delegate_groups_with_account(
            AccountId=aid, SigninDelegateGroups=[]), 200)
        self.assertEqual([g["GroupName"] for g in
                          self.chime.get_account(AccountId=aid)["Account"]["SigninDelegateGroups"]],
                         ["my_users", "Admins", "admins"])
        # set difference; unknown names are ignored
        resp = self.chime.disassociate_signin_delegate_groups_from_account(
            AccountId=aid, GroupNames=["Admins", "nobody"])
        self.assertMeta(resp, 200)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set())
        self.assertEqual([g["GroupName"] for g in
                          self.chime.get_account(AccountId=aid)["Account"]["SigninDelegateGroups"]],
                         ["my_users", "admins"])
        self.chime.disassociate_signin_delegate_groups_from_account(AccountId=aid, GroupNames=["my_users", "admins"])
        self.assertNotIn("SigninDelegateGroups", self.chime.get_account(AccountId=aid)["Account"])

    def test_signin_delegate_groups_errors(self):
        groups = [{"GroupName": "g"}]
        # only EnterpriseDirectory accounts (D2): Team and EnterpriseLWA get ForbiddenException
        team = self.new_account()["AccountId"]
        lwa = self.new_account()["AccountId"]
        self.set_type(lwa, "EnterpriseLWA")
        for aid in (team, lwa):
            with self.subTest(account=aid):
                err = self.assertChimeError("ForbiddenException", "Forbidden", 403,
                                            self.chime.associate_signin_delegate_groups_with_account,
                                            AccountId=aid, SigninDelegateGroups=groups)
                self.assertIn("not an Enterprise Chime Account", err.response["Error"]["Message"])
                self.assertChimeError("ForbiddenException", "Forbidden", 403,
                                      self.chime.disassociate_signin_delegate_groups_from_account,
                                      AccountId=aid, GroupNames=["g"])
        missing = str(uuid.uuid4())
        self.assertNotFound(self.chime.associate_signin_delegate_groups_with_account, AccountId=missing,
                            SigninDelegateGroups=groups)
        self.assertNotFound(self.chime.disassociate_signin_delegate_groups_from_account, AccountId=missing,
                            GroupNames=["g"])
        d = self.directory_account()["AccountId"]
        self.assertBadRequest(self.chime.associate_signin_delegate_groups_with_account, AccountId=d,
                              SigninDelegateGroups=[{"GroupName": "   "}])
        self.assertBadRequest(self.chime.associate_signin_delegate_groups_with_account, AccountId=d,
                              SigninDelegateGroups=[{"GroupName": "x" * 257}])
        self.assertBadRequest(self.chime.associate_signin_delegate_groups_with_account, AccountId=d,
                              SigninDelegateGroups=[{"GroupName": "g%02d" % i} for i in range(51)])
        with self.assertRaises(botocore.exceptions.ParamValidationError):  # GroupNames has min 1
            self.chime.disassociate_signin_delegate_groups_from_account(AccountId=d, GroupNames=[])
        self.assertBadRequest(self.unvalidated_client().disassociate_signin_delegate_groups_from_account,
                              AccountId=d, GroupNames=[])
        # 50 is the limit, not 49
        self.chime.associate_signin_delegate_groups_with_account(
            AccountId=d, SigninDelegateGroups=[{"GroupName": "g%02d" % i} for i in range(50)])
        self.assertEqual(len(self.chime.get_account(AccountId=d)["Account"]["SigninDelegateGroups"]), 50)
        self.assertBadRequest(self.chime.associate_signin_delegate_groups_with_account, AccountId=d,
                              SigninDelegateGroups=[{"GroupName": "one more"}])

    def test_retention_settings(self):
        aid = self.new_account()["AccountId"]
        self.set_type(aid, "EnterpriseLWA")
        resp = self.chime.get_retention_settings(AccountId=aid)
        self.assertMeta(resp, 200)
        self.assertEqual(resp["RetentionSettings"], {})
        self.assertNotIn("InitiateDeletionTimestamp", resp)

        resp = self.chime.put_retention_settings(AccountId=aid, RetentionSettings={
            "RoomRetentionSettings": {"RetentionDays": 5}})
        self.assertMeta(resp, 204)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set())  # 204: no body
        got = self.chime.get_retention_settings(AccountId=aid)
        self.assertEqual(got["RetentionSettings"], {"RoomRetentionSettings": {"RetentionDays": 5}})
        deletion = got["InitiateDeletionTimestamp"]
        self.assertIsInstance(deletion, datetime.datetime)
        in30 = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
        self.assertLess(abs((deletion - in30).total_seconds()), 300, deletion)

        # an absent sub-structure is unchanged; limits 1 and 5475 are accepted
        self.chime.put_retention_settings(AccountId=aid, RetentionSettings={
            "ConversationRetentionSettings": {"RetentionDays": 5475}})
        self.assertEqual(self.chime.get_retention_settings(AccountId=aid)["RetentionSettings"],
                         {"RoomRetentionSettings": {"RetentionDays": 5},
                          "ConversationRetentionSettings": {"RetentionDays": 5475}})
        self.chime.put_retention_settings(AccountId=aid, RetentionSettings={
            "RoomRetentionSettings": {"RetentionDays": 1}})
        # {} changes nothing
        self.assertMeta(self.chime.put_retention_settings(AccountId=aid, RetentionSettings={}), 204)
        got = self.chime.get_retention_settings(AccountId=aid)
        self.assertEqual(got["RetentionSettings"], {"RoomRetentionSettings": {"RetentionDays": 1},
                                                    "ConversationRetentionSettings": {"RetentionDays": 5475}})
        self.assertIn("InitiateDeletionTimestamp", got)
        # a sub-structure without RetentionDays turns that policy off
        self.chime.put_retention_settings(AccountId=aid, RetentionSettings={"RoomRetentionSettings": {}})
        got = self.chime.get_retention_settings(AccountId=aid)
        self.assertEqual(got["RetentionSettings"], {"ConversationRetentionSettings": {"RetentionDays": 5475}})
        self.assertIn("InitiateDeletionTimestamp", got)
        # both off: no deletion is scheduled any more
        self.chime.put_retention_settings(AccountId=aid, RetentionSettings={"ConversationRetentionSettings": {}})
        got = self.chime.get_retention_settings(AccountId=aid)
        self.assertEqual(got["RetentionSettings"], {})
        self.assertNotIn("InitiateDeletionTimestamp", got)

        # every Enterprise type has retention settings
        for t in ("EnterpriseDirectory", "EnterpriseOIDC"):
            with self.subTest(type=t):
                other = self.new_account()["AccountId"]
                self.set_type(other, t)
                self.assertMeta(self.chime.put_retention_settings(AccountId=other, RetentionSettings={
                    "RoomRetentionSettings": {"RetentionDays": 30}}), 204)
                self.assertEqual(self.chime.get_retention_settings(AccountId=other)["RetentionSettings"],
                                 {"RoomRetentionSettings": {"RetentionDays": 30}})

    def test_retention_settings_errors(self):
        team = self.new_account()["AccountId"]
        room = {"RoomRetentionSettings": {"RetentionDays": 5}}
        err = self.assertChimeError("ForbiddenException", "Forbidden", 403, self.chime.get_retention_settings,
                                    AccountId=team)
        self.assertIn("not an Enterprise Chime Account", err.response["Error"]["Message"])
        self.assertIn(team, err.response["Error"]["Message"])
        self.assertChimeError("ForbiddenException", "Forbidden", 403, self.chime.put_retention_settings,
                              AccountId=team, RetentionSettings=room)
        missing = str(uuid.uuid4())
        self.assertNotFound(self.chime.get_retention_settings, AccountId=missing)
        self.assertNotFound(self.chime.put_retention_settings, AccountId=missing, RetentionSettings=room)
        aid = self.new_account()["AccountId"]
        self.set_type(aid, "EnterpriseLWA")
        self.assertNotFound(SERVER.client(OTHER_AWS_ACCOUNT).get_retention_settings, AccountId=aid)
        # botocore checks min 1 but not max 5475
        self.assertBadRequest(self.chime.put_retention_settings, AccountId=aid,
                              RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 5476}})
        self.assertBadRequest(self.chime.put_retention_settings, AccountId=aid,
                              RetentionSettings={"ConversationRetentionSettings": {"RetentionDays": 100000}})
        with self.assertRaises(botocore.exceptions.ParamValidationError):
            self.chime.put_retention_settings(AccountId=aid,
                                              RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 0}})
        raw = self.unvalidated_client()
        self.assertBadRequest(raw.put_retention_settings, AccountId=aid,
                              RetentionSettings={"RoomRetentionSettings": {"RetentionDays": 0}})
        self.assertBadRequest(raw.put_retention_settings, AccountId=aid)  # RetentionSettings is required
        # nothing was stored by the refused puts
        self.assertEqual(self.chime.get_retention_settings(AccountId=aid)["RetentionSettings"], {})

    def test_global_settings(self):
        # global settings belong to the AWS account: this test has an AWS account of its own
        tenant = "210987654321"
        c = SERVER.client(tenant)
        resp = c.get_global_settings()
        self.assertMeta(resp, 200)
        self.assertEqual({k: v for k, v in resp.items() if k != "ResponseMetadata"},
                         {"BusinessCalling": {}, "VoiceConnector": {}})
        # awscli/examples/chime/update-global-settings.rst and get-global-settings.rst
        resp = c.update_global_settings(BusinessCalling={"CdrBucket": "s3bucket"},
                                        VoiceConnector={"CdrBucket": "s3bucket"})
        self.assertMeta(resp, 204)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set())
        resp = c.get_global_settings()
        self.assertEqual(resp["BusinessCalling"], {"CdrBucket": "s3bucket"})
        self.assertEqual(resp["VoiceConnector"], {"CdrBucket": "s3bucket"})
        # another AWS account does not see them
        other = SERVER.client("210987654320").get_global_settings()
        self.assertEqual((other["BusinessCalling"], other["VoiceConnector"]), ({}, {}))
        # an omitted member is unchanged, "" clears, {} changes nothing
        c.update_global_settings(VoiceConnector={"CdrBucket": "vc-cdrs.example-1"})
        c.update_global_settings()
        resp = c.get_global_settings()
        self.assertEqual((resp["BusinessCalling"], resp["VoiceConnector"]),
                         ({"CdrBucket": "s3bucket"}, {"CdrBucket": "vc-cdrs.example-1"}))
        c.update_global_settings(BusinessCalling={"CdrBucket": ""})
        resp = c.get_global_settings()
        self.assertEqual((resp["BusinessCalling"], resp["VoiceConnector"]),
                         ({}, {"CdrBucket": "vc-cdrs.example-1"}))
        # names S3 would refuse
        for bad in ("ab", "x" * 64, "Upper-Case", "under_score", "-leading", "trailing-", "a..b"):
            with self.subTest(bucket=bad):
                self.assertBadRequest(c.update_global_settings, BusinessCalling={"CdrBucket": bad})
        self.assertBadRequest(c.update_global_settings, VoiceConnector={"CdrBucket": "no spaces"})
        resp = c.get_global_settings()
        self.assertEqual((resp["BusinessCalling"], resp["VoiceConnector"]),
                         ({}, {"CdrBucket": "vc-cdrs.example-1"}))


# ==============================================================================================================
# Phone number settings: the AWS account's default calling name (docs/behavior.md §4.31, D28; clock §9.5)
# ==============================================================================================================


class PhoneNumberSettingsTests(ChimeTestCase):
    """A server of its own with --allow-clock-control: the once-per-168h rule is checked by moving its clock."""

    TENANT = "135792468024"

    @classmethod
    def setUpClass(cls):
        cls.server = ChimedServer(extra_args=["--allow-clock-control"]).start()
        cls.chime = cls.server.client(cls.TENANT)
        cls.exc = cls.chime.exceptions

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def advance(self, seconds):
        status, body = self.server.control("GET", "/_chimed/clock", aws_account_id=self.TENANT)
        self.assertEqual(status, 200, body)
        status, body = self.server.control("PUT", "/_chimed/clock",
                                           {"OffsetSeconds": body["OffsetSeconds"] + seconds},
                                           aws_account_id=self.TENANT)
        self.assertEqual(status, 200, body)
        return body["OffsetSeconds"]

    def settings(self, client=None):
        resp = (client or self.chime).get_phone_number_settings()
        self.assertMeta(resp, 200)
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}

    def test_calling_name_once_per_interval(self):
        self.assertEqual(self.settings(), {})  # never set
        # awscli/examples/chime/update-phone-number-settings.rst
        resp = self.chime.update_phone_number_settings(CallingName="myName")
        self.assertMeta(resp, 204)
        self.assertEqual(set(resp) - {"ResponseMetadata"}, set())
        got = self.settings()
        self.assertEqual(got["CallingName"], "myName")
        self.assertRecent(got["CallingNameUpdatedTimestamp"])
        first = got["CallingNameUpdatedTimestamp"]

        # a second update within 168 h is refused, and changes nothing
        self.assertBadRequest(self.chime.update_phone_number_settings, CallingName="Other Name")
        self.assertEqual(self.settings(), got)
        # the rule is per AWS account: another one may still set its own name
        other = self.server.client(OTHER_AWS_ACCOUNT)
        self.assertMeta(other.update_phone_number_settings(CallingName="Theirs"), 204)
        self.assertEqual(self.settings(other)["CallingName"], "Theirs")

        # one second short of 168 h: still refused; at 168 h: accepted
        self.advance(168 * 3600 - 1)
        self.assertBadRequest(self.chime.update_phone_number_settings, CallingName="Other Name")
        self.advance(1)
        self.assertMeta(self.chime.update_phone_number_settings(CallingName="Other Name"), 204)
        got = self.settings()
        self.assertEqual(got["CallingName"], "Other Name")
        # the timestamp is the server clock's, 168 h after the first one
        self.assertLess(abs((got["CallingNameUpdatedTimestamp"] - first).total_seconds() - 168 * 3600), 120, got)

        # "" clears the name (Get shows "" with its timestamp); that counts as an update too
        self.advance(168 * 3600)
        self.assertMeta(self.chime.update_phone_number_settings(CallingName=""), 204)
        got = self.settings()
        self.assertEqual(got["CallingName"], "")
        self.assertIsInstance(got["CallingNameUpdatedTimestamp"], datetime.datetime)
        self.assertBadRequest(self.chime.update_phone_number_settings, CallingName="Again")

    def test_calling_name_pattern(self):
        c = self.server.client("246802468024")
        # CallingName: ^$|^[a-zA-Z0-9 ]{2,15}$; botocore checks none of it
        for bad in ("a", "a-b", "x" * 16, "caf\u00e9", "name!", "tab\tname"):
            with self.subTest(name=bad):
                self.assertBadRequest(c.update_phone_number_settings, CallingName=bad)
        self.assertEqual(self.settings(c), {})  # refused updates do not start the interval
        self.assertMeta(c.update_phone_number_settings(CallingName="A1 b2 C3 d4 E5 f"[:15]), 204)
        self.assertEqual(self.settings(c)["CallingName"], "A1 b2 C3 d4 E5 ")
        with self.assertRaises(botocore.exceptions.ParamValidationError):  # CallingName is required
            c.update_phone_number_settings()

    def test_clock_control_is_off_on_the_main_server(self):
        status, body = SERVER.control("PUT", "/_chimed/clock", {"OffsetSeconds": 3600})
        self.assertEqual(status, 403, body)


# ==============================================================================================================
# chimed control endpoints
# ==============================================================================================================


class ControlEndpointTests(ChimeTestCase):

    def test_reset(self):
        tenant = "777788889999"
        c = SERVER.client(tenant)
        a = c.create_account(Name="Reset me %s" % RUN)["Account"]
        c.invite_users(AccountId=a["AccountId"], UserEmailList=[self.email("reset")])
        mine = self.new_account()
        status, body = SERVER.control("POST", "/_chimed/reset", aws_account_id=tenant)
        self.assertEqual(status, 204, body)
        self.assertEqual(c.list_accounts()["Accounts"], [])
        self.assertChimeError("NotFoundException", "NotFound", 404, c.get_account,
                              AccountId=a["AccountId"])
        # other AWS accounts are untouched
        self.assertEqual(self.chime.get_account(AccountId=mine["AccountId"])["Account"]["AccountId"],
                         mine["AccountId"])


# ==============================================================================================================
# Authentication-dependent errors (ForbiddenException, ThrottledClientException, signature failures)
# ==============================================================================================================


def sigv4_unsupported_reason():
    """None when the binary has `--auth sigv4` and a working `credentials create`, else why not."""
    probe = tempfile.mkdtemp(prefix="chimed-probe-")
    try:
        p = subprocess.run([chimed_bin(), "credentials", "create", "--aws-account-id", MAIN_AWS_ACCOUNT,
                            "--read-only", "--db", "sqlite:" + os.path.join(probe, "p.db")],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0 or "AWS_ACCESS_KEY_ID=" not in p.stdout:
            return ("server binary lacks `chimed credentials create --read-only` (exit %d: %s); "
                    "these tests run once --auth sigv4 lands" % (p.returncode, (p.stderr or p.stdout).strip()[:200]))
        if not server_supports("serve", "--help", needle="sigv4"):
            return "`chimed serve --help` does not mention --auth sigv4"
        return None
    finally:
        shutil.rmtree(probe, ignore_errors=True)


class AuthTests(ChimeTestCase):
    """Run against a second server in sigv4 mode (whatever CHIMED_AUTH_MODE says for the main one)."""

    @classmethod
    def setUpClass(cls):
        reason = sigv4_unsupported_reason()
        if reason:
            raise unittest.SkipTest(reason)
        cls.server = ChimedServer(auth_mode="sigv4").start()
        cls.chime = cls.server.client()
        cls.exc = cls.chime.exceptions

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_read_only_credentials_are_forbidden_to_mutate(self):
        aid = self.chime.create_account(Name="RO %s" % RUN)["Account"]["AccountId"]
        ro = self.server.client(read_only=True)
        # reads are allowed
        self.assertEqual(ro.get_account(AccountId=aid)["Account"]["AccountId"], aid)
        ro.list_accounts()
        ro.get_account_settings(AccountId=aid)
        ro.list_users(AccountId=aid)
        # every mutation is ForbiddenException / Forbidden / 403
        calls = [
            (ro.create_account, dict(Name="nope")),
            (ro.update_account, dict(AccountId=aid, Name="nope")),
            (ro.delete_account, dict(AccountId=aid)),
            (ro.update_account_settings, dict(AccountId=aid, AccountSettings={"EnableDialOut": True})),
            (ro.invite_users, dict(AccountId=aid, UserEmailList=[self.email()])),
            (ro.create_user, dict(AccountId=aid, Email=self.email())),
            (ro.batch_suspend_user, dict(AccountId=aid, UserIdList=[])),
            (ro.batch_unsuspend_user, dict(AccountId=aid, UserIdList=[])),
            (ro.batch_update_user, dict(AccountId=aid, UpdateUserRequestItems=[])),
            (ro.update_user, dict(AccountId=aid, UserId=str(uuid.uuid4()))),
            (ro.logout_user, dict(AccountId=aid, UserId=str(uuid.uuid4()))),
            (ro.reset_personal_pin, dict(AccountId=aid, UserId=str(uuid.uuid4()))),
        ]
        for fn, kw in calls:
            with self.subTest(op=fn.__name__):
                self.assertChimeError("ForbiddenException", "Forbidden", 403, fn, **kw)
        self.assertEqual(self.chime.get_account(AccountId=aid)["Account"]["Name"], "RO %s" % RUN)

    def test_wrong_secret_is_rejected(self):
        key, _ = self.server.credentials()
        bad = self.server.client(creds=(key, "wrong-secret"))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            bad.list_accounts()
        r = cm.exception.response
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 403, r)
        self.assertEqual(r["Error"]["Code"], "InvalidSignatureException", r)
        unknown = self.server.client(creds=("AKIAUNKNOWNKEY000000", "whatever"))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            unknown.list_accounts()
        self.assertEqual(cm.exception.response["Error"]["Code"], "UnrecognizedClientException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_wrong_secret_gets_canonical_request(self):
        # as AWS's own services do: the canonical request and string to sign the server computed, no secret
        key, secret = self.server.credentials()
        bad = self.server.client(creds=(key, "wrong-secret-" + RUN))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            bad.list_accounts(MaxResults=5)
        msg = cm.exception.response["Error"]["Message"]
        self.assertTrue(msg.startswith("The request signature we calculated does not match the signature you "
                                       "provided. Check your AWS Secret Access Key and signing method."), msg)
        self.assertIn("\n\nThe Canonical String for this request should have been\n'GET\n/accounts\nmax-results=5\n", msg)
        self.assertIn("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n", msg)
        self.assertNotIn(secret, msg)
        self.assertNotIn("wrong-secret-" + RUN, msg)

    def test_session_token_is_refused_with_advice(self):
        key, secret = self.server.credentials()
        c = boto3.session.Session().client(
            "chime", endpoint_url=self.server.endpoint, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, aws_session_token="a-session-token",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            c.list_accounts()
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "UnrecognizedClientException", err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertIn("long-term", err["Error"]["Message"])
        self.assertIn("session token", err["Error"]["Message"])
        # the same in a presigned URL (X-Amz-Security-Token in the query)
        url = c.generate_presigned_url("list_accounts", Params={})
        self.assertIn("X-Amz-Security-Token=", url)
        status, headers, body = fetch(url)
        self.assertEqual((status, headers.get("x-amzn-ErrorType")), (403, "UnrecognizedClientException"), body)
        self.assertIn("long-term", body["message"])

    def test_presigned_urls_refused_when_tampered_expired_or_too_long(self):
        aid = self.chime.create_account(Name="Presign %s" % RUN)["Account"]["AccountId"]
        e = self.email()
        self.chime.invite_users(AccountId=aid, UserEmailList=[e])
        uid = self.chime.list_users(AccountId=aid, UserEmail=e)["Users"][0]["UserId"]
        params = {"AccountId": aid, "UserId": uid}
        url = self.chime.generate_presigned_url("get_user", Params=params, ExpiresIn=60)
        status, _, body = fetch(url)
        self.assertEqual(status, 200, body)
        sig = url.rsplit("X-Amz-Signature=", 1)[1]
        tampered = {
            "signature": url[:-len(sig)] + ("1" if sig[0] == "0" else "0") + sig[1:],
            "user id": url.replace(uid, str(uuid.uuid4())),
            "expires": url.replace("X-Amz-Expires=60", "X-Amz-Expires=3600"),
        }
        for what, bad in tampered.items():
            with self.subTest(tampered=what):
                status, headers, body = fetch(bad)
                self.assertEqual((status, headers.get("x-amzn-ErrorType")), (403, "InvalidSignatureException"), body)
        # signed an hour ago for 60 seconds: expired, even with the 15-minute clock-skew allowance
        past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(hours=1)
        with unittest.mock.patch("botocore.auth.get_current_datetime", lambda *a, **k: past):
            expired = self.chime.generate_presigned_url("get_user", Params=params, ExpiresIn=60)
        status, headers, body = fetch(expired)
        self.assertEqual((status, headers.get("x-amzn-ErrorType")), (403, "InvalidSignatureException"), body)
        self.assertIn("expired", body["message"])
        # more than 7 days
        status, headers, body = fetch(self.chime.generate_presigned_url("get_user", Params=params, ExpiresIn=604801))
        self.assertEqual((status, headers.get("x-amzn-ErrorType")), (403, "IncompleteSignatureException"), body)
        self.assertIn("604800", body["message"])
        # exactly 7 days is fine
        status, _, body = fetch(self.chime.generate_presigned_url("get_user", Params=params, ExpiresIn=604800))
        self.assertEqual(status, 200, body)

    def test_odd_labels_verify_under_sigv4(self):
        # double-encoded canonical URIs: odd labels must authenticate and answer 404, never 403
        for aid in ODD_IDS:
            with self.subTest(account_id=aid):
                self.assertNotFound(self.chime.get_account, AccountId=aid)
                self.assertNotFound(self.chime.update_account, AccountId=aid, Name="x")
        aid = self.chime.create_account(Name="Odd sigv4 %s" % RUN)["Account"]["AccountId"]
        for uid in ODD_IDS:
            with self.subTest(user_id=uid):
                self.assertNotFound(self.chime.get_user, AccountId=aid, UserId=uid)
        self.assertBadRequest(self.chime.get_account, AccountId="")
        self.assertBadRequest(self.chime.get_user, AccountId="", UserId=str(uuid.uuid4()))
        self.assertBadRequest(self.chime.list_users, AccountId="")
        self.assertBadRequest(self.chime.create_account, Name="x" * 1_100_000)
        e = "first+last %s@example.com" % RUN
        self.chime.invite_users(AccountId=aid, UserEmailList=[e])
        self.assertEqual(len(self.chime.list_users(AccountId=aid, UserEmail=e)["Users"]), 1)
        self.assertEqual(len(self.chime.list_accounts(Name="Odd sigv4 %s" % RUN)["Accounts"]), 1)


class ThrottleTests(ChimeTestCase):
    """A second server with a tiny per-credential rate limit."""

    @classmethod
    def setUpClass(cls):
        if not server_supports("serve", "--help", needle="rate-limit"):
            raise unittest.SkipTest("server binary lacks `serve --rate-limit`; runs once throttling lands")
        cls.server = ChimedServer(extra_args=["--rate-limit", "1", "--rate-burst", "2"]).start()
        cls.chime = cls.server.client()
        cls.exc = cls.chime.exceptions

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_throttled_client_exception(self):
        err = None
        for _ in range(10):
            try:
                self.chime.list_accounts()
            except self.exc.ThrottledClientException as e:
                err = e
                break
        self.assertIsNotNone(err, "10 quick calls with --rate-limit 1 --rate-burst 2 were never throttled")
        self.assertEqual(err.response["Code"], "Throttled")
        self.assertEqual(err.response["Error"]["Code"], "ThrottledClientException")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 429)
        # the limit is per credential: another caller is not affected
        other = self.server.client(OTHER_AWS_ACCOUNT)
        self.assertEqual(other.list_accounts()["Accounts"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
