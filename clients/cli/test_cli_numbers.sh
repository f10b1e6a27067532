#!/usr/bin/env bash
# Conformance suite, phone numbers: the real AWS CLI v1 (`aws chime …`) against a chimed server of its own.
#
# Replays the documented examples of awscli/examples/chime/ for the 12 phone number commands (create-phone-number-order
# … disassociate-phone-number-from-user) with real values and checks that the output has the documented shape
# (member names, types, and the values that are deterministic: "%2B12065550100" IDs, Status values, empty
# PhoneNumberErrors), plus a modeled error per command (exit code 255 and the exception name the CLI prints).
# The documented numbers +12065550100 … +12065550105 are free on a fresh server; the Failed lines of the documented
# Partial orders are reproduced by letting another AWS account acquire +12065550102 and +12065550105 first.
# The server runs with --allow-clock-control, so the end of the 168 h deletion queue is checked too.
#
# usage: CHIMED_BIN=/path/to/chimed bash clients/cli/test_cli_numbers.sh   (builds the server when CHIMED_BIN is unset)
# Last line: "N passed, M failed"; exit status 0 only when M is 0.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chimed-cli-numbers.XXXXXX")
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

MISSING=$("$PY" -c 'import uuid; print(uuid.uuid4())')
CAPS='{"InboundCall": True, "OutboundCall": True, "InboundSMS": True, "OutboundSMS": True, "InboundMMS": True, "OutboundMMS": True}'
# the members of the documented PhoneNumber outputs (get-phone-number, list-phone-numbers); chimed adds Country
PN_KEYS="{'PhoneNumberId', 'E164PhoneNumber', 'Type', 'ProductType', 'Status', 'Capabilities', 'Associations', 'CallingNameStatus', 'CreatedTimestamp', 'UpdatedTimestamp'}"
ORDER_KEYS="['CreatedTimestamp', 'OrderedPhoneNumbers', 'PhoneNumberOrderId', 'ProductType', 'Status', 'UpdatedTimestamp']"
UUID='re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", %s) is not None'

# ------------------------------------------------------------------------------------------------------------
# Orders: create-phone-number-order, get-phone-number-order, list-phone-number-orders
# ------------------------------------------------------------------------------------------------------------
# Another AWS account takes +12065550102 and +12065550105 first: the documented orders' Failed lines.
as_other ok "create-phone-number-order in another AWS account" create-phone-number-order --product-type VoiceConnector \
	--e164-phone-numbers "+12065550102" "+12065550105"

ok "create-phone-number-order (documented example)" create-phone-number-order --product-type VoiceConnector \
	--e164-phone-numbers "+12065550100" "+12065550101" "+12065550102"
expect "the documented output: Processing, every number Processing, in request order" \
	"sorted(d['PhoneNumberOrder']) == $ORDER_KEYS and d['PhoneNumberOrder']['ProductType'] == 'VoiceConnector' and d['PhoneNumberOrder']['Status'] == 'Processing' and d['PhoneNumberOrder']['OrderedPhoneNumbers'] == [{'E164PhoneNumber': '+12065550100', 'Status': 'Processing'}, {'E164PhoneNumber': '+12065550101', 'Status': 'Processing'}, {'E164PhoneNumber': '+12065550102', 'Status': 'Processing'}]"
expect "a UUID order id and ISO-8601 timestamps" \
	"$(printf "$UUID" 'd["PhoneNumberOrder"]["PhoneNumberOrderId"]') and $(printf "$ISO" 'd["PhoneNumberOrder"]["CreatedTimestamp"]') and $(printf "$ISO" 'd["PhoneNumberOrder"]["UpdatedTimestamp"]')"
ORDER1=$(val 'd["PhoneNumberOrder"]["PhoneNumberOrderId"]')
fails "create-phone-number-order: a toll-free number for BusinessCalling" BadRequestException \
	create-phone-number-order --product-type BusinessCalling --e164-phone-numbers "+18005550100"

ok "get-phone-number-order (documented example)" get-phone-number-order --phone-number-order-id "$ORDER1"
expect "the documented output: Partial, two Acquired and one Failed" \
	"sorted(d['PhoneNumberOrder']) == $ORDER_KEYS and d['PhoneNumberOrder']['PhoneNumberOrderId'] == '$ORDER1' and d['PhoneNumberOrder']['ProductType'] == 'VoiceConnector' and d['PhoneNumberOrder']['Status'] == 'Partial' and d['PhoneNumberOrder']['OrderedPhoneNumbers'] == [{'E164PhoneNumber': '+12065550100', 'Status': 'Acquired'}, {'E164PhoneNumber': '+12065550101', 'Status': 'Acquired'}, {'E164PhoneNumber': '+12065550102', 'Status': 'Failed'}] and $(printf "$ISO" 'd["PhoneNumberOrder"]["UpdatedTimestamp"]')"
fails "get-phone-number-order with the documented ID (not a GUID: g, h, i, j)" BadRequestException \
	get-phone-number-order --phone-number-order-id abc12345-de67-89f0-123g-h45i678j9012
fails "get-phone-number-order of an unknown order" NotFoundException get-phone-number-order --phone-number-order-id "$MISSING"

ok "create-phone-number-order (the documented list's second order)" create-phone-number-order \
	--product-type BusinessCalling --e164-phone-numbers "+12065550103" "+12065550104" "+12065550105"
ORDER2=$(val 'd["PhoneNumberOrder"]["PhoneNumberOrderId"]')
ok "list-phone-number-orders (documented example)" list-phone-number-orders
expect "the documented output: both orders, Partial, in creation order, no NextToken" \
	"list(d) == ['PhoneNumberOrders'] and [o['PhoneNumberOrderId'] for o in d['PhoneNumberOrders']] == ['$ORDER1', '$ORDER2'] and all(sorted(o) == $ORDER_KEYS for o in d['PhoneNumberOrders']) and [(o['ProductType'], o['Status'], [(l['E164PhoneNumber'], l['Status']) for l in o['OrderedPhoneNumbers']]) for o in d['PhoneNumberOrders']] == [('VoiceConnector', 'Partial', [('+12065550100', 'Acquired'), ('+12065550101', 'Acquired'), ('+12065550102', 'Failed')]), ('BusinessCalling', 'Partial', [('+12065550103', 'Acquired'), ('+12065550104', 'Acquired'), ('+12065550105', 'Failed')])]"
fails "list-phone-number-orders --max-results 100" BadRequestException list-phone-number-orders --max-results 100

# ------------------------------------------------------------------------------------------------------------
# The inventory: get-phone-number, list-phone-numbers
# ------------------------------------------------------------------------------------------------------------
ok "get-phone-number (documented example)" get-phone-number --phone-number-id +12065550100
expect "the documented members and values (chimed adds Country; no voice connector, so no associations)" \
	"set(d['PhoneNumber']) == $PN_KEYS | {'Country'} and d['PhoneNumber']['PhoneNumberId'] == '%2B12065550100' and d['PhoneNumber']['E164PhoneNumber'] == '+12065550100' and d['PhoneNumber']['Type'] == 'Local' and d['PhoneNumber']['ProductType'] == 'VoiceConnector' and d['PhoneNumber']['Status'] == 'Unassigned' and d['PhoneNumber']['Capabilities'] == $CAPS and d['PhoneNumber']['Associations'] == [] and d['PhoneNumber']['CallingNameStatus'] == 'Unassigned' and d['PhoneNumber']['Country'] == 'US'"
expect "ISO-8601 timestamps" "$(printf "$ISO" 'd["PhoneNumber"]["CreatedTimestamp"]') and $(printf "$ISO" 'd["PhoneNumber"]["UpdatedTimestamp"]')"
ok "get-phone-number with the returned ID %2B12065550100" get-phone-number --phone-number-id "%2B12065550100"
expect "the same number" "d['PhoneNumber']['E164PhoneNumber'] == '+12065550100'"
fails "get-phone-number of a number not in the inventory" NotFoundException get-phone-number --phone-number-id +12065550102

ok "list-phone-numbers (documented example)" list-phone-numbers
expect "the documented shape: PhoneNumbers with the documented members, in E.164 order" \
	"list(d) == ['PhoneNumbers'] and [(p['PhoneNumberId'], p['E164PhoneNumber'], p['Type'], p['ProductType'], p['Status']) for p in d['PhoneNumbers']] == [('%2B12065550100', '+12065550100', 'Local', 'VoiceConnector', 'Unassigned'), ('%2B12065550101', '+12065550101', 'Local', 'VoiceConnector', 'Unassigned'), ('%2B12065550103', '+12065550103', 'Local', 'BusinessCalling', 'Unassigned'), ('%2B12065550104', '+12065550104', 'Local', 'BusinessCalling', 'Unassigned')] and all(set(p) == $PN_KEYS | {'Country'} and p['Capabilities'] == $CAPS for p in d['PhoneNumbers'])"
fails "list-phone-numbers --filter-name without --filter-value" BadRequestException list-phone-numbers --filter-name AccountId

# ------------------------------------------------------------------------------------------------------------
# update-phone-number, batch-update-phone-number
# ------------------------------------------------------------------------------------------------------------
ok "update-phone-number --calling-name phonenumber1 (the name the first documented output shows)" \
	update-phone-number --phone-number-id "+12065550100" --calling-name "phonenumber1"
ok "update-phone-number --product-type (documented example 1)" update-phone-number --phone-number-id "+12065550100" \
	--product-type "BusinessCalling"
expect "the documented output: BusinessCalling, Unassigned, no associations, the calling name" \
	"set(d['PhoneNumber']) == $PN_KEYS | {'Country', 'CallingName'} and d['PhoneNumber']['PhoneNumberId'] == '%2B12065550100' and d['PhoneNumber']['E164PhoneNumber'] == '+12065550100' and d['PhoneNumber']['Type'] == 'Local' and d['PhoneNumber']['ProductType'] == 'BusinessCalling' and d['PhoneNumber']['Status'] == 'Unassigned' and d['PhoneNumber']['Capabilities'] == $CAPS and d['PhoneNumber']['Associations'] == [] and d['PhoneNumber']['CallingName'] == 'phonenumber1'"
ok "update-phone-number --calling-name (documented example 2)" update-phone-number --phone-number-id "+12065550100" \
	--calling-name "phonenumber2"
expect "the documented output: the new calling name at once" \
	"d['PhoneNumber']['PhoneNumberId'] == '%2B12065550100' and d['PhoneNumber']['ProductType'] == 'BusinessCalling' and d['PhoneNumber']['Status'] == 'Unassigned' and d['PhoneNumber']['Associations'] == [] and d['PhoneNumber']['CallingName'] == 'phonenumber2' and d['PhoneNumber']['CallingNameStatus'] == 'UpdateInProgress'"
fails "update-phone-number with both a product type and a calling name" BadRequestException \
	update-phone-number --phone-number-id "+12065550100" --product-type BusinessCalling --calling-name "phonenumber3"

ok "batch-update-phone-number product types (documented example 1)" batch-update-phone-number \
	--update-phone-number-request-items PhoneNumberId=%2B12065550100,ProductType=BusinessCalling PhoneNumberId=%2B12065550101,ProductType=BusinessCalling
expect "the documented output" 'd == {"PhoneNumberErrors": []}'
ok "batch-update-phone-number calling names (documented example 2, with numbers of this inventory)" batch-update-phone-number \
	--update-phone-number-request-items PhoneNumberId=%2B12065550103,CallingName=phonenumber1 PhoneNumberId=%2B12065550104,CallingName=phonenumber2
expect "the documented output" 'd == {"PhoneNumberErrors": []}'
ok "list-phone-numbers after the calling name batch" list-phone-numbers --product-type BusinessCalling
expect "both batches applied: four BusinessCalling numbers with the names" "{p['E164PhoneNumber']: p.get('CallingName') for p in d['PhoneNumbers']} == {'+12065550100': 'phonenumber2', '+12065550101': None, '+12065550103': 'phonenumber1', '+12065550104': 'phonenumber2'}"
ok "batch-update-phone-number (documented example 2, verbatim: numbers this inventory does not have)" batch-update-phone-number \
	--update-phone-number-request-items PhoneNumberId=%2B14013143874,CallingName=phonenumber1 PhoneNumberId=%2B14013144061,CallingName=phonenumber2
expect "a per-item NotFound for each, IDs as sent" \
	"[(e['PhoneNumberId'], e['ErrorCode']) for e in d['PhoneNumberErrors']] == [('%2B14013143874', 'NotFound'), ('%2B14013144061', 'NotFound')] and all(e['ErrorMessage'] for e in d['PhoneNumberErrors'])"
fails "batch-update-phone-number with a calling name outside the pattern" BadRequestException batch-update-phone-number \
	--update-phone-number-request-items PhoneNumberId=%2B12065550100,CallingName=a-b

# ------------------------------------------------------------------------------------------------------------
# associate-phone-number-with-user, disassociate-phone-number-from-user
# ------------------------------------------------------------------------------------------------------------
ok "create-account (for user numbers)" create-account --name "Numbers $RUN"
ACCT=$(val 'd["Account"]["AccountId"]')
UE="numbers-$RUN@example.com"
ok "invite-users (for user numbers)" invite-users --account-id "$ACCT" --user-email-list "$UE"
ok "list-users --user-email (for user numbers)" list-users --account-id "$ACCT" --user-email "$UE"
USER=$(val 'd["Users"][0]["UserId"]')

ok "associate-phone-number-with-user (documented example)" associate-phone-number-with-user \
	--account-id "$ACCT" --user-id "$USER" --e164-phone-number "+12065550100"
expect "associate prints nothing, as documented" 'd is None'
ok "get-user after associate" get-user --account-id "$ACCT" --user-id "$USER"
expect "PrimaryProvisionedNumber is the number" "d['User']['PrimaryProvisionedNumber'] == '+12065550100'"
ok "get-phone-number after associate" get-phone-number --phone-number-id "+12065550100"
expect "Assigned, associated with the account and the user" \
	"d['PhoneNumber']['Status'] == 'Assigned' and sorted((a['Name'], a['Value']) for a in d['PhoneNumber']['Associations']) == [('AccountId', '$ACCT'), ('UserId', '$USER')] and all($(printf "$ISO" 'a["AssociatedTimestamp"]') for a in d['PhoneNumber']['Associations'])"
fails "associate-phone-number-with-user with the documented (unknown) account and user" NotFoundException \
	associate-phone-number-with-user --account-id 12a3456b-7c89-012d-3456-78901e23fg45 \
	--user-id 1ab2345c-67de-8901-f23g-45h678901j2k --e164-phone-number "+12065550100"
fails "delete-phone-number of an assigned number" BadRequestException delete-phone-number --phone-number-id "+12065550100"
ok "batch-delete-phone-number with an assigned number and another AWS account's number" batch-delete-phone-number \
	--phone-number-ids "%2B12065550100" "%2B12065550102"
expect "per-item PhoneNumberAssociationsExist and NotFound" \
	"[(e['PhoneNumberId'], e['ErrorCode']) for e in d['PhoneNumberErrors']] == [('%2B12065550100', 'PhoneNumberAssociationsExist'), ('%2B12065550102', 'NotFound')]"

ok "disassociate-phone-number-from-user (documented example)" disassociate-phone-number-from-user \
	--account-id "$ACCT" --user-id "$USER"
expect "disassociate prints nothing, as documented" 'd is None'
ok "get-user after disassociate" get-user --account-id "$ACCT" --user-id "$USER"
expect "no PrimaryProvisionedNumber" "'PrimaryProvisionedNumber' not in d['User']"
fails "disassociate-phone-number-from-user with the documented (unknown) account and user" NotFoundException \
	disassociate-phone-number-from-user --account-id 12a3456b-7c89-012d-3456-78901e23fg45 --user-id 1ab2345c-67de-8901-f23g-45h678901j2k

# ------------------------------------------------------------------------------------------------------------
# delete-phone-number, restore-phone-number, batch-delete-phone-number; the end of the deletion queue
# ------------------------------------------------------------------------------------------------------------
ok "delete-phone-number (documented example)" delete-phone-number --phone-number-id "+12065550100"
expect "delete-phone-number prints nothing, as documented (204)" 'd is None'
ok "get-phone-number after delete" get-phone-number --phone-number-id "+12065550100"
expect "DeleteInProgress with a DeletionTimestamp" \
	"d['PhoneNumber']['Status'] == 'DeleteInProgress' and $(printf "$ISO" 'd["PhoneNumber"]["DeletionTimestamp"]')"

ok "restore-phone-number (documented example)" restore-phone-number --phone-number-id "+12065550100"
expect "the documented output: BusinessCalling, Unassigned, no associations, no DeletionTimestamp" \
	"set(d['PhoneNumber']) >= {'PhoneNumberId', 'E164PhoneNumber', 'Type', 'ProductType', 'Status', 'Capabilities', 'Associations', 'CreatedTimestamp', 'UpdatedTimestamp'} and 'DeletionTimestamp' not in d['PhoneNumber'] and d['PhoneNumber']['PhoneNumberId'] == '%2B12065550100' and d['PhoneNumber']['E164PhoneNumber'] == '+12065550100' and d['PhoneNumber']['Type'] == 'Local' and d['PhoneNumber']['ProductType'] == 'BusinessCalling' and d['PhoneNumber']['Status'] == 'Unassigned' and d['PhoneNumber']['Capabilities'] == $CAPS and d['PhoneNumber']['Associations'] == []"
fails "restore-phone-number of a number not in the deletion queue" BadRequestException restore-phone-number --phone-number-id "+12065550100"

ok "batch-delete-phone-number (documented example)" batch-delete-phone-number --phone-number-ids "%2B12065550100" "%2B12065550101"
expect "the documented output" 'd == {"PhoneNumberErrors": []}'
fails "batch-delete-phone-number with 51 IDs" BadRequestException batch-delete-phone-number \
	--phone-number-ids $(for i in $(seq 1 51); do printf '%%2B1206555%04d ' $((1000 + i)); done)

control GET /_chimed/clock
OFFSET=$(val 'd["OffsetSeconds"]')
control PUT /_chimed/clock "{\"OffsetSeconds\": $((OFFSET + 168 * 3600))}"
if [ "$RC" -eq 0 ]; then pass "server clock +168 h (control endpoint)"; else fail "server clock +168 h" "$ERR $OUT"; fi
fails "get-phone-number after the deletion queue" NotFoundException get-phone-number --phone-number-id "+12065550100"
ok "list-phone-numbers after the deletion queue" list-phone-numbers
expect "only +12065550103 and +12065550104 are left" "[p['PhoneNumberId'] for p in d['PhoneNumbers']] == ['%2B12065550103', '%2B12065550104']"
ok "search-available-phone-numbers after the purge" search-available-phone-numbers --area-code "206" --max-results 2
expect "purged numbers are never offered again" "d['E164PhoneNumbers'] == ['+12065550106', '+12065550107']"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
