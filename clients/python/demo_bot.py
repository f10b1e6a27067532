"""A small Amazon Chime chat bot, written the way a bot author writes one (docs/behavior.md §10; D38, D39).

It is a plain `http.server` that receives the bot's outbound events (the bot's OutboundEventsHTTPSEndpoint):
  * every request must carry `Chime-Request-Timestamp` and `Chime-Signature`, where the signature is
    base64(HMAC-SHA256(key = the bot's SecurityToken, data = timestamp + "|" + raw body)); requests with a bad or
    missing signature, or a timestamp more than 5 minutes off, are refused with 401;
  * `HTTPSEndpointVerification` (the challenge PutEventsConfiguration sends): answered 200 with {"Challenge": …};
  * `Invite`, `Mention`, `Remove`: answered 200 and recorded; a Mention is answered in the room by POSTing
    {"Content": "…"} to the event's InboundHttpsEndpoint Url, after the event itself has been acknowledged.

Use it from Python (`DemoBot(token).start()`, then `.url`, `.events`, `.wait_for(...)`), or run it:

    python3 demo_bot.py --token SECURITY_TOKEN [--port 0]

which prints `listening on http://127.0.0.1:PORT/` and then one JSON line per received event (challenges
included) with the verdict on its signature. Only the standard library is used.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_SKEW = datetime.timedelta(minutes=5)


def sign(token, timestamp, body):
    """The Chime-Signature of body sent at timestamp, for a bot whose SecurityToken is token."""
    mac = hmac.new(token.encode("utf-8"), timestamp.encode("utf-8") + b"|" + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def fresh(timestamp):
    """True when the ISO-8601 Chime-Request-Timestamp lies within MAX_SKEW of our clock."""
    try:
        when = datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        return False
    return abs(datetime.datetime.now(datetime.timezone.utc) - when) <= MAX_SKEW


class DemoBot:
    """The bot: an HTTP server on 127.0.0.1 that checks signatures, answers challenges, records events and
    replies to mentions."""

    def __init__(self, token, port=0, reply=lambda event: "Status: all systems go (you said: %s)" % event["Message"],
                 log=None):
        self.token = token  # the bot's SecurityToken; set it again after RegenerateSecurityToken
        self.reply = reply
        self.log = log
        self.events = []  # accepted events, in arrival order: dicts of the JSON body plus "_timestamp"
        self.rejected = []  # (reason, headers, raw body) of refused requests
        self.replies = []  # (url, HTTP status, response body) of the replies posted to the room
        self.cond = threading.Condition()
        bot = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # keep test output quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer, after = bot.handle(dict(self.headers.items()), raw)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                if after:  # reply only once the event has been acknowledged
                    threading.Thread(target=after, daemon=True).start()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d/chime-events" % self.httpd.server_address[1]
        self.thread = None

    # -- the bot's logic ----------------------------------------------------------------------------------------

    def handle(self, headers, raw):
        """(status, JSON answer, a function to run after answering or None) for one request."""
        h = {k.lower(): v for k, v in headers.items()}
        timestamp, signature = h.get("chime-request-timestamp", ""), h.get("chime-signature", "")
        if not timestamp or not signature:
            return self._reject("missing signature headers", headers, raw)
        if not hmac.compare_digest(sign(self.token, timestamp, raw), signature):
            return self._reject("bad signature", headers, raw)
        if not fresh(timestamp):
            return self._reject("stale timestamp", headers, raw)
        try:
            event = json.loads(raw)
        except ValueError:
            return self._reject("body is not JSON", headers, raw)
        event["_timestamp"] = timestamp
        self._log({"verified": True, "event": event})
        kind = event.get("EventType")
        if kind == "HTTPSEndpointVerification":
            return 200, {"Challenge": event.get("Challenge")}, None
        after = None
        if kind == "Mention":
            url = (event.get("InboundHttpsEndpoint") or {}).get("Url")
            if url:
                after = lambda: self._answer(url, self.reply(event))
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()
        return 200, {}, after

    def _reject(self, reason, headers, raw):
        self._log({"verified": False, "reason": reason})
        with self.cond:
            self.rejected.append((reason, headers, raw))
            self.cond.notify_all()
        return 401, {"message": reason}, None

    def _answer(self, url, content):
        """POST {"Content": content} to a room reply URL (no SigV4: the URL carries its own token)."""
        req = urllib.request.Request(url, data=json.dumps({"Content": content}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            status, body = 0, str(e).encode()
        try:
            body = json.loads(body)
        except ValueError:
            pass
        self._log({"replied": url.split("?")[0], "status": status})
        with self.cond:
            self.replies.append((url, status, body))
            self.cond.notify_all()

    def _log(self, record):
        if self.log:
            self.log.write(json.dumps(record) + "\n")
            self.log.flush()

    # -- running it ---------------------------------------------------------------------------------------------

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, predicate, timeout=10):
        """Wait until predicate(self) is true; returns its last value."""
        deadline = time.time() + timeout
        with self.cond:
            while True:
                got = predicate(self)
                left = deadline - time.time()
                if got or left <= 0:
                    return got
                self.cond.wait(left)

    def events_of(self, kind):
        return [e for e in self.events if e.get("EventType") == kind]


def main(argv=None):
    p = argparse.ArgumentParser(description="A small Amazon Chime bot for chimed.")
    p.add_argument("--token", required=True, help="the bot's SecurityToken (CreateBot / GetBot)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    args = p.parse_args(argv)
    bot = DemoBot(args.token, port=args.port, log=sys.stdout)
    print("listening on %s" % bot.url, flush=True)
    try:
        bot.httpd.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
