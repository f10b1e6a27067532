#!/usr/bin/env bash
# Runs the three client conformance suites (boto3, AWS CLI v1, aws-sdk-js v3) against chimed.
#
# usage: bash clients/run.sh
#   CHIMED_BIN=/path/to/chimed   use this server binary instead of building one
#   CHIMED_AUTH_MODE=any|sigv4   how the suites start the server and get credentials (default: sigv4)
# Each suite starts its own `chimed serve` on a free loopback port with a temporary store.
# Exit status: 0 only when every suite passed.
set -u
CLIENTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$CLIENTS/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chimed-clients.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
START=$SECONDS

if [ -z "${CHIMED_BIN:-}" ]; then
	echo "== building chimed"
	(cd "$REPO" && go build -o "$WORK/chimed" ./cmd/chimed) || { echo "FAIL: go build"; exit 1; }
	CHIMED_BIN=$WORK/chimed
fi
export CHIMED_BIN
[ -n "${CHIMED_AUTH_MODE:-}" ] && export CHIMED_AUTH_MODE

if [ ! -d "$CLIENTS/js/node_modules" ]; then
	echo "== npm ci (clients/js)"
	(cd "$CLIENTS/js" && npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci"; exit 1; }
fi

# The pinned SDK still supports node 20; silence its notice that later releases will not.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

declare -a RESULTS
FAILED=0
suite() { # suite NAME DIR COMMAND…
	local name=$1 dir=$2 t0=$SECONDS rc
	shift 2
	echo
	echo "== $name"
	(cd "$dir" && "$@")
	rc=$?
	if [ "$rc" -eq 0 ]; then
		RESULTS+=("PASS  $name ($((SECONDS - t0))s)")
	else
		RESULTS+=("FAIL  $name ($((SECONDS - t0))s, exit $rc)")
		FAILED=$((FAILED + 1))
	fi
}

suite "boto3 (clients/python/test_boto3.py, test_boto3_numbers.py, test_boto3_dialout.py, test_boto3_rooms_bots.py, test_boto3_cloudtrail.py)" "$CLIENTS/python" python3 -m unittest -v test_boto3 test_boto3_numbers test_boto3_dialout test_boto3_rooms_bots test_boto3_cloudtrail
suite "AWS CLI v1 (clients/cli/test_cli.sh)" "$CLIENTS/cli" bash test_cli.sh
suite "AWS CLI v1 phone numbers (clients/cli/test_cli_numbers.sh)" "$CLIENTS/cli" bash test_cli_numbers.sh
suite "AWS CLI v1 dial-out (clients/cli/test_cli_dialout.sh)" "$CLIENTS/cli" bash test_cli_dialout.sh
suite "AWS CLI v1 rooms and bots (clients/cli/test_cli_rooms_bots.sh)" "$CLIENTS/cli" bash test_cli_rooms_bots.sh
suite "AWS CLI v1 CloudTrail lookup-events (clients/cli/test_cli_cloudtrail.sh)" "$CLIENTS/cli" bash test_cli_cloudtrail.sh
suite "aws-sdk-js v3 (clients/js)" "$CLIENTS/js" node --test --test-concurrency=1 --test-reporter=spec chime.test.js auth.test.js numbers.test.js rooms_bots.test.js

echo
echo "== summary ($((SECONDS - START))s)"
printf '%s\n' "${RESULTS[@]}"
[ "$FAILED" -eq 0 ]
