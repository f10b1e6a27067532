#!/usr/bin/env bash
# Conformance suite, meeting dial-out: the real AWS CLI v1 (`aws chime create-meeting-dial-out`) against a chimed
# server of its own (spec part 2 §4.38, §9.8; D40, D47, D48).
#
# awscli/examples/chime/ documents no create-meeting-dial-out example, so there is no documented output to replay:
# this checks the command's arguments and output shape ({"TransactionId": a UUID}), each modeled error the CLI can
# provoke (exit 255 and the exception name: BadRequestException, AccessDeniedException), and the recorded entry
# in GET /_chimed/dial-outs. The From number is +12065550100, ordered first (the default order delay is 0).
#
# usage: CHIMED_BIN=/path/to/chimed bash clients/cli/test_cli_dialout.sh   (builds the server when CHIMED_BIN is unset)
# Last line: "N passed, M failed"; exit status 0 only when M is 0.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chimed-cli-dialout.XXXXXX")
REGION=us-east-1
SERVER_PID=
PASSED=0
FAILED=0

cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ -z "${CHIMED_BIN:-}" ]; then
	(cd "$REPO" && go build -o "$TMP/chimed" ./cmd/chimed) || { echo "go build failed"; echo "0 passed, 1 failed"; exit 1; }
	CHIMED_BIN=$TMP/chimed
fi

# pyenv shims cost a few hundred milliseconds per call: run the real executables behind them.
resolve() {
	local p
	p=$(command -v "$1") || { echo "$1 not found"; echo "0 passed, 1 failed"; exit 1; }
	case "$p" in */shims/*) command -v pyenv >/dev/null && p=$(pyenv which "$1" 2>/dev/null || echo "$p") ;; esac
	echo "$p"
}
AWS=$(resolve aws) || { echo "$AWS"; exit 1; }
PY=$(resolve python3) || { echo "$PY"; exit 1; }
RUN=$("$PY" -c 'import uuid; print(uuid.uuid4().hex[:8])')

# ------------------------------------------------------------------------------------------------------------
# The one place that decides the server command line and the credentials.
#   CHIMED_AUTH_MODE=sigv4  `--auth sigv4` (default): credentials from `chimed credentials create --aws-account-id ID`.
#   CHIMED_AUTH_MODE=any    `--auth any` (emulator): access key id 111122223333 is the AWS account, any secret.
# ------------------------------------------------------------------------------------------------------------
AUTH_MODE=${CHIMED_AUTH_MODE:-sigv4}
AWS_ACCOUNT=111122223333
DB="sqlite:$TMP/c.db"

# chimed processes get our environment minus any CHIMED_* setting that could change the server
UNSET_CHIMED=()
for v in $(compgen -e); do case "$v" in CHIMED_*) UNSET_CHIMED+=(-u "$v") ;; esac; done
server_env() { env "${UNSET_CHIMED[@]}" "$@"; }

make_credentials() { # sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for AWS account $1
	case "$AUTH_MODE" in
	any)
		AWS_ACCESS_KEY_ID=$1
		AWS_SECRET_ACCESS_KEY="any-secret-$RUN"
		;;
	sigv4)
		local out
		out=$(server_env "$CHIMED_BIN" credentials create --aws-account-id "$1" --db "$DB") || {
			echo "chimed credentials create failed"; echo "0 passed, 1 failed"; exit 1; }
		AWS_ACCESS_KEY_ID=$(sed -n 's/^\(export \)\{0,1\}AWS_ACCESS_KEY_ID=//p' <<<"$out" | tr -d "'\"")
		AWS_SECRET_ACCESS_KEY=$(sed -n 's/^\(export \)\{0,1\}AWS_SECRET_ACCESS_KEY=//p' <<<"$out" | tr -d "'\"")
		;;
	*) echo "CHIMED_AUTH_MODE must be any or sigv4"; echo "0 passed, 1 failed"; exit 1 ;;
	esac
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

start_server() {
	local port
	for _ in 1 2 3; do
		port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		ENDPOINT="http://127.0.0.1:$port"
		# env execs chimed, so $! is the server's own pid
		env "${UNSET_CHIMED[@]}" "$CHIMED_BIN" serve --listen "127.0.0.1:$port" --db "$DB" --auth "$AUTH_MODE" --allow-clock-control \
			>>"$TMP/server.log" 2>&1 &
		SERVER_PID=$!
		for _ in $(seq 1 200); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			if curl -fsS "$ENDPOINT/_chimed/health" >/dev/null 2>&1; then return 0; fi
			sleep 0.05
		done
		kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
	done
	echo "chimed did not start:"; tail -20 "$TMP/server.log"
	echo "0 passed, 1 failed"
	exit 1
}

make_credentials "$AWS_ACCOUNT" # before serve, so a sigv4 server finds a non-empty key store
start_server
export CHIMED_ENDPOINT=$ENDPOINT AWS_REGION=$REGION

# A clean, predictable CLI: no profiles or config files, no retries, no pager.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
export AWS_PAGER=""

# ------------------------------------------------------------------------------------------------------------
# Tiny test helpers
# ------------------------------------------------------------------------------------------------------------
pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() {
	FAILED=$((FAILED + 1)); echo "not ok - $1"
	[ -n "${2:-}" ] && sed 's/^/#   /' <<<"$2"
}

chime() { # aws chime ARGS…: sets RC, OUT, ERR
	"$AWS" --endpoint-url "$ENDPOINT" --region "$REGION" --output json chime "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

ok() { # ok DESC ARGS…: the command succeeds
	local desc=$1; shift
	chime "$@"
	if [ "$RC" -eq 0 ]; then pass "$desc"; else fail "$desc" "exit $RC: $ERR"; fi
}

fails() { # fails DESC EXCEPTION ARGS…: exit code 255 and the CLI names the modeled exception
	local desc=$1 exc=$2; shift 2
	chime "$@"
	if [ "$RC" -eq 255 ] && grep -q "An error occurred ($exc) when calling" <<<"$ERR"; then
		pass "$desc"
	else
		fail "$desc" "want exit 255 and ($exc); got exit $RC: $ERR $OUT"
	fi
}

PYJSON='import json, os, re, sys
raw = os.environ["J"]
d = json.loads(raw) if raw.strip() else None'

expect() { # expect DESC PYTHON-EXPR: true for d = the JSON output of the last command
	if J=$OUT "$PY" -c "$PYJSON
sys.exit(0 if eval(sys.argv[1]) else 1)" "$2" 2>"$TMP/expect.err"; then
		pass "$1"
	else
		fail "$1" "expected: $2
output: $OUT $(cat "$TMP/expect.err")"
	fi
}

val() { J=$OUT "$PY" -c "$PYJSON
print(eval(sys.argv[1]))" "$1"; }

control() { # control METHOD PATH [BODY]: a signed chimed control call; sets RC, OUT
	OUT=$("$PY" "$HERE/chimed_control.py" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

ISO='re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", %s) is not None' # CLI v1 prints the wire value

OTHER_AWS_ACCOUNT=444455556666
MAIN_KEY=$AWS_ACCESS_KEY_ID MAIN_SECRET=$AWS_SECRET_ACCESS_KEY
make_credentials "$OTHER_AWS_ACCOUNT"
OTHER_KEY=$AWS_ACCESS_KEY_ID OTHER_SECRET=$AWS_SECRET_ACCESS_KEY
export AWS_ACCESS_KEY_ID=$MAIN_KEY AWS_SECRET_ACCESS_KEY=$MAIN_SECRET
as_other() { AWS_ACCESS_KEY_ID=$OTHER_KEY AWS_SECRET_ACCESS_KEY=$OTHER_SECRET "$@"; }

UUID='re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", %s) is not None'
MEETING=$("$PY" -c 'import uuid; print(uuid.uuid4())')
TOKEN="QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+/0123"

ok "create-phone-number-order of the From number" create-phone-number-order --product-type BusinessCalling \
	--e164-phone-numbers "+12065550100"
as_other ok "create-phone-number-order in another AWS account" create-phone-number-order --product-type BusinessCalling \
	--e164-phone-numbers "+12065550110"

ok "create-meeting-dial-out" create-meeting-dial-out --meeting-id "$MEETING" --from-phone-number "+12065550100" \
	--to-phone-number "+14155550123" --join-token "$TOKEN"
expect "the output is {\"TransactionId\": a lowercase UUID v4}" "list(d) == ['TransactionId'] and $(printf "$UUID" 'd["TransactionId"]')"
TXN=$(val 'd["TransactionId"]')

control GET /_chimed/dial-outs
expect "GET /_chimed/dial-outs shows it, join token included" \
	"[{k: v for k, v in x.items() if k != 'CreatedTimestamp'} for x in d['DialOuts']] == [{'TransactionId': '$TXN', 'MeetingId': '$MEETING', 'FromPhoneNumber': '+12065550100', 'ToPhoneNumber': '+14155550123', 'JoinToken': '$TOKEN'}] and $(printf "$ISO" 'd["DialOuts"][0]["CreatedTimestamp"]')"
as_other control GET /_chimed/dial-outs
expect "another AWS account sees none of them" "d == {'DialOuts': []}"

fails "create-meeting-dial-out: a meeting ID without a GUID" BadRequestException create-meeting-dial-out \
	--meeting-id "not-a-meeting" --from-phone-number "+12065550100" --to-phone-number "+14155550123" --join-token "$TOKEN"
fails "create-meeting-dial-out: a To number that is not E.164" BadRequestException create-meeting-dial-out \
	--meeting-id "$MEETING" --from-phone-number "+12065550100" --to-phone-number "+0415" --join-token "$TOKEN"
fails "create-meeting-dial-out: a join token outside its pattern" BadRequestException create-meeting-dial-out \
	--meeting-id "$MEETING" --from-phone-number "+12065550100" --to-phone-number "+14155550123" --join-token "abc=="
fails "create-meeting-dial-out: To = From" BadRequestException create-meeting-dial-out \
	--meeting-id "$MEETING" --from-phone-number "+12065550100" --to-phone-number "+12065550100" --join-token "$TOKEN"
fails "create-meeting-dial-out: a From number never ordered" AccessDeniedException create-meeting-dial-out \
	--meeting-id "$MEETING" --from-phone-number "+12065550199" --to-phone-number "+14155550123" --join-token "$TOKEN"
fails "create-meeting-dial-out: another AWS account's From number" AccessDeniedException create-meeting-dial-out \
	--meeting-id "$MEETING" --from-phone-number "+12065550110" --to-phone-number "+14155550123" --join-token "$TOKEN"
if grep -q "$TOKEN" "$TMP/server.log"; then fail "the join token is not in the server log"; else pass "the join token is not in the server log"; fi

control POST /_chimed/reset
control GET /_chimed/dial-outs
expect "reset clears the dial-outs" "d == {'DialOuts': []}"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
