#!/usr/bin/env bash
# Conformance suite, meeting dial-out: the real AWS CLI v1 (`aws chime create-meeting-dial-out`) against a chimed
# server of its own (docs/behavior.md §4.38, §9.8; D40, D47, D48).
#
# awscli/examples/chime/ documents no create-meeting-dial-out example, so there is no documented output to replay:
# this checks the command's arguments and output shape ({"TransactionId": a UUID}), each modeled error the CLI can
# provoke (exit 255 and the exception name: BadRequestException, AccessDeniedException), and the recorded entry
# in GET /_chimed/dial-outs. The From number is +12065550100, ordered first (the default order delay is 0).
#
# usage: CHIMED_BIN=/path/to/chimed bash clients/cli/test_cli_dialout.sh   (builds the server when CHIMED_BIN is unset)
# Last line: "N passed, M failed"; exit status 0 only when M is 0.
set -u

SUITE_NAME=cli-dialout
SERVER_FLAGS=(--allow-clock-control)
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # the shared harness: server, credentials, checks

use_other_account 444455556666 # as_other CMD…: CMD acting in that AWS account

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

finish
