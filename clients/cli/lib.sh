# Shared harness of the AWS CLI v1 conformance suites (clients/cli/test_cli*.sh). Source it, do not run it.
#
# Contract
#   Before sourcing, a suite may set:
#     set -u                  (every suite does; the harness is written for it)
#     SUITE_NAME=NAME         names the temporary directory ${TMPDIR:-/tmp}/chimed-NAME.XXXXXX (default: cli)
#     SERVER_FLAGS=(FLAG…)    extra `chimed serve` flags, e.g. SERVER_FLAGS=(--allow-clock-control) (default: none)
#     suite_cleanup() {…}     optional; runs at exit after the server is stopped and before $TMP is removed
#                             (e.g. to stop a helper process the suite started)
#   Sourcing then, in this order: creates $TMP and an EXIT trap that stops the server and removes $TMP; builds
#   chimed into $TMP when CHIMED_BIN is unset; resolves aws and python3 (behind pyenv shims); mints credentials for
#   $AWS_ACCOUNT; starts `chimed serve` on a free loopback port; exports CHIMED_ENDPOINT and AWS_REGION; and gives
#   the AWS CLI a clean environment (AWS_CONFIG_FILE=/dev/null, no profiles, no retries, no pager). Any failure
#   before the first check prints "0 passed, 1 failed" and exits 1.
#   A suite then gets:
#     variables  HERE (this directory), REPO, TMP, REGION, AWS_ACCOUNT (111122223333), AUTH_MODE, DB, ENDPOINT,
#                SERVER_PID, AWS and PY (the executables), RUN (8 hex digits, unique per run), PYJSON (Python
#                preamble that sets d from $J), ISO (a printf pattern: "%s is an ISO-8601 timestamp with ms");
#                the server log is $TMP/server.log
#     commands   chime ARGS…             aws chime ARGS… with JSON output; sets RC, OUT, ERR
#                ok DESC ARGS…           check: the command succeeds
#                fails DESC EXC ARGS…    check: exit code 255 and the CLI names the modeled exception EXC
#                expect DESC PYEXPR      check: PYEXPR is true for d = the JSON output of the last command
#                val PYEXPR              prints PYEXPR for d = the JSON output of the last command
#                control METHOD PATH [BODY]  a SigV4-signed /_chimed/ call (chimed_control.py); sets RC, OUT, ERR
#                pass DESC / fail DESC [DETAIL]  record a check of the suite's own
#                make_credentials ID     sets and exports AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for AWS account ID
#                use_other_account ID    mints OTHER_KEY/OTHER_SECRET for a second AWS account (OTHER_AWS_ACCOUNT),
#                                        keeping the current credentials; then `as_other CMD…` runs CMD as that account
#                start_server / stop_server
#                finish                  prints the last line "N passed, M failed"; its status is 0 only when M is 0,
#                                        so it ends the suite
# Honours CHIMED_BIN and CHIMED_AUTH_MODE (sigv4, the default, or any) as described in clients/README.md.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chimed-${SUITE_NAME:-cli}.XXXXXX")
REGION=us-east-1
SERVER_PID=
PASSED=0
FAILED=0

abort() { # abort MESSAGE: give up before any check ran
	echo "$1"
	echo "0 passed, 1 failed"
	exit 1
}

stop_server() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SERVER_PID" 2>/dev/null
	fi
}

cleanup() {
	stop_server
	if declare -F suite_cleanup >/dev/null; then suite_cleanup; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ -z "${CHIMED_BIN:-}" ]; then
	(cd "$REPO" && go build -o "$TMP/chimed" ./cmd/chimed) || abort "go build failed"
	CHIMED_BIN=$TMP/chimed
fi

# pyenv shims cost a few hundred milliseconds per call: run the real executables behind them.
resolve() {
	local p
	p=$(command -v "$1") || abort "$1 not found"
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
		out=$(server_env "$CHIMED_BIN" credentials create --aws-account-id "$1" --db "$DB") ||
			abort "chimed credentials create failed"
		AWS_ACCESS_KEY_ID=$(sed -n 's/^\(export \)\{0,1\}AWS_ACCESS_KEY_ID=//p' <<<"$out" | tr -d "'\"")
		AWS_SECRET_ACCESS_KEY=$(sed -n 's/^\(export \)\{0,1\}AWS_SECRET_ACCESS_KEY=//p' <<<"$out" | tr -d "'\"")
		;;
	*) abort "CHIMED_AUTH_MODE must be any or sigv4" ;;
	esac
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

use_other_account() { # use_other_account ID: OTHER_KEY/OTHER_SECRET for AWS account ID; the current credentials stay
	local main_key=$AWS_ACCESS_KEY_ID main_secret=$AWS_SECRET_ACCESS_KEY
	OTHER_AWS_ACCOUNT=$1
	make_credentials "$OTHER_AWS_ACCOUNT"
	OTHER_KEY=$AWS_ACCESS_KEY_ID OTHER_SECRET=$AWS_SECRET_ACCESS_KEY
	export AWS_ACCESS_KEY_ID=$main_key AWS_SECRET_ACCESS_KEY=$main_secret
}
as_other() { AWS_ACCESS_KEY_ID=$OTHER_KEY AWS_SECRET_ACCESS_KEY=$OTHER_SECRET "$@"; }

start_server() { # chimed serve --auth $AUTH_MODE ${SERVER_FLAGS[@]} on a free port; sets ENDPOINT, SERVER_PID
	local port
	for _ in 1 2 3; do
		port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		ENDPOINT="http://127.0.0.1:$port"
		# env execs chimed, so $! is the server's own pid
		env "${UNSET_CHIMED[@]}" "$CHIMED_BIN" serve --listen "127.0.0.1:$port" --db "$DB" --auth "$AUTH_MODE" \
			${SERVER_FLAGS[@]+"${SERVER_FLAGS[@]}"} >>"$TMP/server.log" 2>&1 &
		SERVER_PID=$!
		for _ in $(seq 1 200); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			if curl -fsS "$ENDPOINT/_chimed/health" >/dev/null 2>&1; then return 0; fi
			sleep 0.05
		done
		kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
	done
	abort "chimed did not start:
$(tail -20 "$TMP/server.log")"
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

finish() { # the last line of a suite: "N passed, M failed"; status 0 only when M is 0
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
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

control() { # control METHOD PATH [BODY]: a signed chimed control call; sets RC, OUT, ERR
	OUT=$("$PY" "$HERE/chimed_control.py" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

ISO='re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", %s) is not None' # CLI v1 prints the wire value
