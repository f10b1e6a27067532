#!/usr/bin/env python3
"""Check that a chimed server accepts requests signed by botocore's SigV4Auth.

Usage:
    botocore_sign_check.py [BASE_URL [ACCESS_KEY [SECRET]]] [--region REGION]

Missing arguments come from the environment: CHIMED_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION (default eu-west-1).

Every request is signed with botocore.auth.SigV4Auth(Credentials, "chime",
region) exactly as botocore signs a Chime call (path labels and query values
percent-encoded by botocore's own helpers, Content-Length not signed) and sent
with urllib, without following redirects and without proxies. A signed request
passes when the answer is anything but 403 (400 and 404 are fine: only
authentication is under test); the requests use ids that do not exist, so they
change nothing on a real server. Two requests must fail: a wrong secret must get
403 InvalidSignatureException, an unknown access key 403
UnrecognizedClientException.

Then the same kind of calls go through a real botocore "chime" client
(botocore.session, endpoint_url=BASE_URL, one attempt), which also signs its
amz-sdk-* headers and sends with urllib3; again anything but 403 passes.

Exit status: 0 all checks passed, 1 a check failed, 2 usage error or botocore
missing.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

try:
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode, percent_encode_sequence
except ImportError as exc:  # pragma: no cover
    print(f"botocore_sign_check: botocore is not installed: {exc}", file=sys.stderr)
    sys.exit(2)

NO_SUCH_ACCOUNT = "00000000-0000-4000-8000-00000000dead"


def label(value):
    """Encode a path label as botocore's rest-json serializer does."""
    return percent_encode(value)


def query(params):
    """Encode query parameters as botocore's rest-json serializer does."""
    return "?" + percent_encode_sequence(params)


# (description, method, path-and-query, JSON body or None)
SIGNED_REQUESTS = [
    ("list accounts", "GET", "/accounts", None),
    ("query with + @ and space", "GET", "/accounts" + query({"name": "a+b@c d", "max-results": 5}), None),
    ("empty label (//)", "GET", "/accounts//users/u", None),
    ("%2F in a label", "GET", "/accounts/" + label("a/b"), None),
    ("unicode and space in a label", "GET", "/accounts/" + label("café € x"), None),
    ("dot segments", "GET", "/accounts/" + NO_SUCH_ACCOUNT + "/./users/../users/u", None),
    ("trailing slash", "GET", "/accounts/", None),
    ("update with JSON body", "POST", "/accounts/" + NO_SUCH_ACCOUNT, {"Name": "renamed"}),
    ("invite with operation=add", "POST", "/accounts/" + NO_SUCH_ACCOUNT + "/users" + query({"operation": "add"}),
     {"UserEmailList": ["a+b@example.com"]}),
    ("logout without body", "POST", "/accounts/" + NO_SUCH_ACCOUNT + "/users/u1" + query({"operation": "logout"}), None),
    ("delete", "DELETE", "/accounts/" + NO_SUCH_ACCOUNT, None),
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def send(base, method, path, body, access_key, secret, region):
    """Sign with botocore and send; return (status, x-amzn-ErrorType, message)."""
    url = base + path
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = AWSRequest(method=method, url=url, data=data, headers=headers)
    SigV4Auth(Credentials(access_key, secret), "chime", region).add_auth(req)
    wire = urllib.request.Request(url, data=data, method=method, headers=dict(req.headers.items()))
    try:
        with OPENER.open(wire, timeout=15) as resp:
            return resp.status, resp.headers.get("x-amzn-ErrorType", ""), ""
    except urllib.error.HTTPError as err:
        payload = err.read()
        try:
            message = json.loads(payload).get("message", "")
        except (ValueError, AttributeError):
            message = payload[:200].decode("utf-8", "replace")
        return err.code, err.headers.get("x-amzn-ErrorType", ""), message


def client_calls(base, access_key, secret, region):
    """Yield (description, status) for calls made by a real botocore chime client."""
    host = urllib.parse.urlsplit(base).hostname or ""
    for var in ("NO_PROXY", "no_proxy"):
        os.environ[var] = ",".join(filter(None, [os.environ.get(var, ""), host]))
    client = botocore.session.get_session().create_client(
        "chime",
        region_name=region,
        endpoint_url=base,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=15),
    )
    calls = [
        ("client list_accounts with + @ space", lambda: client.list_accounts(Name="a+b@c d", MaxResults=5)),
        ("client get_account, unicode / space id", lambda: client.get_account(AccountId="café / x")),
        ("client get_user, empty account id (//)", lambda: client.get_user(AccountId="", UserId="u")),
        ("client update_account with body", lambda: client.update_account(AccountId=NO_SUCH_ACCOUNT, Name="renamed")),
        ("client invite_users", lambda: client.invite_users(AccountId=NO_SUCH_ACCOUNT, UserEmailList=["a+b@example.com"])),
    ]
    for what, call in calls:
        try:
            resp = call()
            yield what, resp["ResponseMetadata"]["HTTPStatusCode"], "", ""
        except ClientError as err:
            meta = err.response.get("ResponseMetadata", {})
            yield what, meta.get("HTTPStatusCode", 0), err.response.get("Error", {}).get("Code", ""), str(err)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base_url", nargs="?", default=os.environ.get("CHIMED_URL"))
    p.add_argument("access_key", nargs="?", default=os.environ.get("AWS_ACCESS_KEY_ID"))
    p.add_argument("secret", nargs="?", default=os.environ.get("AWS_SECRET_ACCESS_KEY"))
    p.add_argument("--region", default=os.environ.get("AWS_REGION") or "eu-west-1")
    args = p.parse_args(argv)
    if not (args.base_url and args.access_key and args.secret):
        p.print_usage(sys.stderr)
        print("botocore_sign_check: need BASE_URL, ACCESS_KEY and SECRET (arguments or environment)", file=sys.stderr)
        return 2
    base = args.base_url.rstrip("/")

    failures = 0
    total = 0

    def report(ok, what, status, etype, message):
        nonlocal failures, total
        total += 1
        if not ok:
            failures += 1
        detail = f"{status}" + (f" {etype}" if etype else "") + (f": {message}" if message and not ok else "")
        print(f"{'ok  ' if ok else 'FAIL'} {what} -> {detail}")

    for what, method, path, body in SIGNED_REQUESTS:
        try:
            status, etype, message = send(base, method, path, body, args.access_key, args.secret, args.region)
        except OSError as exc:
            report(False, f"{method} {path} ({what})", "no response", "", str(exc))
            continue
        report(status != 403, f"{method} {path} ({what})", status, etype, message)

    negatives = [
        ("wrong secret", args.access_key, args.secret + "x", "InvalidSignatureException"),
        ("unknown access key", "AKIDBOTOCORECHECK000", args.secret, "UnrecognizedClientException"),
    ]
    for what, key, secret, want in negatives:
        try:
            status, etype, message = send(base, "GET", "/accounts", None, key, secret, args.region)
        except OSError as exc:
            report(False, f"GET /accounts ({what})", "no response", "", str(exc))
            continue
        report(status == 403 and etype == want, f"GET /accounts ({what}, want 403 {want})", status, etype, message)

    try:
        for what, status, code, message in client_calls(base, args.access_key, args.secret, args.region):
            report(status != 403, what, status, code, message)
    except Exception as exc:  # noqa: BLE001 - any client failure is a failed check
        report(False, "botocore chime client", "error", "", repr(exc))

    print(f"botocore_sign_check: {total - failures}/{total} checks passed against {base} (region {args.region})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
