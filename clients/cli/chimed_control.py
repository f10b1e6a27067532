"""Call a chimed control endpoint (/_chimed/...), signed with SigV4 like an API call.

usage: python3 chimed_control.py METHOD PATH [JSON-BODY]

Reads CHIMED_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION from the environment.
Prints the response body (or nothing) on stdout; exits 0 on 2xx, 1 otherwise (status on stderr).
"""

import os
import sys
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    method, path = argv[1], argv[2]
    body = argv[3].encode() if len(argv) == 4 else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = AWSRequest(method=method, url=os.environ["CHIMED_ENDPOINT"] + path, data=body or b"", headers=headers)
    creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    SigV4Auth(creds, "chime", os.environ.get("AWS_REGION", "us-east-1")).add_auth(req)
    prepared = req.prepare()
    ureq = urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers.items()), method=method)
    try:
        with urllib.request.urlopen(ureq, timeout=30) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    sys.stdout.write(raw.decode("utf-8", "replace"))
    if not 200 <= status < 300:
        sys.stderr.write("HTTP %d\n" % status)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
