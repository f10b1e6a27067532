#!/usr/bin/env bash
# Conformance suite, audit trail: the real AWS CLI v1 (`aws cloudtrail lookup-events`) against a chimed server of
# its own (docs/behavior.md §9.9). Mutating chime calls (successes and refusals) are made with `aws chime`, then
# looked up through CloudTrail's LookupEvents on the same endpoint: lookup attributes, time range, pagination
# (--max-items / --starting-token, and --page-size), tenancy, the CloudTrailEvent record and its secrets.
#
# usage: CHIMED_BIN=/path/to/chimed bash clients/cli/test_cli_cloudtrail.sh   (builds the server when CHIMED_BIN is unset)
# Last line: "N passed, M failed"; exit status 0 only when M is 0.
set -u

SUITE_NAME=cli-cloudtrail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # the shared harness: server, credentials, checks

use_other_account 444455556666 # as_other CMD…: CMD acting in that AWS account

ct() { # aws cloudtrail ARGS…: sets RC, OUT, ERR
	"$AWS" --endpoint-url "$ENDPOINT" --region "$REGION" --output json cloudtrail "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

ct_ok() { # ct_ok DESC ARGS…: the lookup succeeds
	local desc=$1; shift
	ct "$@"
	if [ "$RC" -eq 0 ]; then pass "$desc"; else fail "$desc" "exit $RC: $ERR"; fi
}

sleep 1 # START (whole seconds) after the keys' own records (chimed credentials create, in sigv4 mode)
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
ok "create-account" create-account --name "audited-$RUN"
ACCOUNT=$(val 'd["Account"]["AccountId"]')
ok "update-account" update-account --account-id "$ACCOUNT" --name "renamed-$RUN"
fails "create-account with a name of 101 characters" BadRequestException create-account --name "$(printf 'x%.0s' {1..101})"
fails "update-account of a missing account" NotFoundException update-account \
	--account-id 00000000-0000-0000-0000-000000000000 --name x
ok "get-account (a read: not recorded)" get-account --account-id "$ACCOUNT"
as_other ok "create-account in another AWS account" create-account --name "other-$RUN"

ct_ok "lookup-events --lookup-attributes EventName=CreateAccount" lookup-events \
	--lookup-attributes AttributeKey=EventName,AttributeValue=CreateAccount
expect "two CreateAccount events, newest (the refusal) first" \
	"[e['EventName'] for e in d['Events']] == ['CreateAccount', 'CreateAccount'] and 'errorCode' in json.loads(d['Events'][0]['CloudTrailEvent']) and 'errorCode' not in json.loads(d['Events'][1]['CloudTrailEvent'])"
expect "the event's members" \
	"all(e['EventSource'] == 'chime.amazonaws.com' and e['ReadOnly'] == 'false' and e['Username'] == e['AccessKeyId'] == '$AWS_ACCESS_KEY_ID' and e['EventId'] for e in d['Events'])"
expect "CloudTrailEvent is a CloudTrail record" \
	"(lambda r: r['eventVersion'] == '1.08' and r['userIdentity']['type'] == 'IAMUser' and r['userIdentity']['accountId'] == '$AWS_ACCOUNT' and r['userIdentity']['accessKeyId'] == '$AWS_ACCESS_KEY_ID' and r['eventSource'] == 'chime.amazonaws.com' and r['eventName'] == 'CreateAccount' and r['awsRegion'] == '$REGION' and r['sourceIPAddress'] == '127.0.0.1' and 'aws-cli' in r['userAgent'] and r['requestParameters'] == {'Name': 'audited-$RUN'} and r['responseElements']['Account']['AccountId'] == '$ACCOUNT' and r['readOnly'] is False and r['eventType'] == 'AwsApiCall' and r['managementEvent'] is True and r['recipientAccountId'] == '$AWS_ACCOUNT' and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', r['eventTime']))(json.loads(d['Events'][1]['CloudTrailEvent']))"
expect "the refusal names its exception" \
	"json.loads(d['Events'][0]['CloudTrailEvent'])['errorCode'] == 'BadRequestException' and json.loads(d['Events'][0]['CloudTrailEvent'])['errorMessage']"

ct_ok "lookup-events by ResourceName (the account id)" lookup-events \
	--lookup-attributes "AttributeKey=ResourceName,AttributeValue=$ACCOUNT"
expect "CreateAccount and UpdateAccount touched it" \
	"sorted(e['EventName'] for e in d['Events']) == ['CreateAccount', 'UpdateAccount'] and all({'ResourceType': 'AWS::Chime::Account', 'ResourceName': '$ACCOUNT'} in e['Resources'] for e in d['Events'])"

ct_ok "lookup-events by Username (the access key id)" lookup-events \
	--lookup-attributes "AttributeKey=Username,AttributeValue=$AWS_ACCESS_KEY_ID"
expect "four events, no read among them" \
	"[e['EventName'] for e in d['Events']] == ['UpdateAccount', 'CreateAccount', 'UpdateAccount', 'CreateAccount']"
EVENT=$(val 'd["Events"][2]["EventId"]')
ct_ok "lookup-events by EventId" lookup-events --lookup-attributes "AttributeKey=EventId,AttributeValue=$EVENT"
expect "that one event" "[e['EventId'] for e in d['Events']] == ['$EVENT']"

ct_ok "lookup-events --max-items 1 (the CLI's pagination)" lookup-events --max-items 1 --start-time "$START"
expect "one event and a NextToken" "len(d['Events']) == 1 and d.get('NextToken')"
NEXT=$(val 'd["NextToken"]')
ct_ok "lookup-events --max-items 3 --starting-token" lookup-events --max-items 3 --start-time "$START" --starting-token "$NEXT"
expect "the next three events" "[e['EventName'] for e in d['Events']] == ['CreateAccount', 'UpdateAccount', 'CreateAccount']"
ct_ok "lookup-events --page-size 1 (every page)" lookup-events --page-size 1 --start-time "$START"
expect "all four events" "len(d['Events']) == 4"

ct_ok "lookup-events --start-time before the calls" lookup-events --start-time "$START"
expect "all four events" "len(d['Events']) == 4"
ct_ok "lookup-events --end-time before the calls" lookup-events --end-time "$START"
expect "none of the API calls (only the keys made by chimed credentials, in sigv4 mode)" "all(e['EventName'] == 'chimed:CreateCredentials' for e in d['Events'])"

as_other ct_ok "lookup-events in another AWS account" lookup-events --start-time "$START"
expect "only its own CreateAccount" "[e['EventName'] for e in d['Events']] == ['CreateAccount'] and d['Events'][0]['AccessKeyId'] != '$AWS_ACCESS_KEY_ID'"

ct lookup-events --lookup-attributes AttributeKey=ResourceType,AttributeValue=x
if [ "$RC" -eq 255 ] && grep -q "InvalidLookupAttributesException" <<<"$ERR"; then
	pass "an unsupported lookup attribute: InvalidLookupAttributesException"
else
	fail "an unsupported lookup attribute: InvalidLookupAttributesException" "exit $RC: $ERR"
fi

finish
