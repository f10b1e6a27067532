#!/usr/bin/env bash
# Conformance suite, rooms and bots: the real AWS CLI v1 (`aws chime …`) against a chimed server of its own (docs/behavior.md
# §3.8, §3.9, §4.32–§4.37, §10, §9.6–§9.8; D31–D39).
#
# Replays the documented examples of awscli/examples/chime/ for create-room, get-room, list-rooms, update-room,
# delete-room, create-room-membership, batch-create-room-membership, list-room-memberships, update-room-membership,
# delete-room-membership, create-bot, get-bot, list-bots, update-bot and regenerate-security-token with real IDs in
# an Enterprise account (PUT /_chimed/accounts/{a}/type) and checks the documented output shapes (member names, and
# the deterministic values: names, "myBot (Bot)", "myBot-chimebot@example.com", roles, "Errors": []). The CLI samples
# of list-rooms and list-bots show a singular object, a documentation artefact: the model's lists are checked.
# put-/get-/delete-events-configuration and redact-room-message / redact-conversation-message have no documented
# example: their arguments and output shapes are checked, with clients/python/demo_bot.py as the bot's endpoint
# (it answers the challenge and checks the Chime-Signature of the Invite and Remove events that follow).
# Every command also gets a modeled error (exit code 255 and the exception name the CLI prints).
#
# usage: CHIMED_BIN=/path/to/chimed bash clients/cli/test_cli_rooms_bots.sh   (builds the server when CHIMED_BIN is unset)
# Last line: "N passed, M failed"; exit status 0 only when M is 0.
set -u

SUITE_NAME=cli-rooms
BOT_PID=
suite_cleanup() { if [ -n "$BOT_PID" ]; then kill -TERM "$BOT_PID" 2>/dev/null; wait "$BOT_PID" 2>/dev/null; fi; }
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # the shared harness: server, credentials, checks

# AWS CLI v1 fetches any parameter value that starts with http:// or https:// and sends the page instead
# (cli_follow_urlparam, on by default): an endpoint URL is passed as is only with it turned off.
printf '[default]\ncli_follow_urlparam = false\n' >"$TMP/config"
export AWS_CONFIG_FILE=$TMP/config

UUID='re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", %s) is not None'
UNKNOWN=$("$PY" -c 'import uuid; print(uuid.uuid4())')
ARN_RE='re.fullmatch(r"arn:aws:iam::111122223333:user/[A-Za-z0-9]+", %s) is not None'
ROOM_KEYS="{'RoomId', 'Name', 'AccountId', 'CreatedBy', 'CreatedTimestamp', 'UpdatedTimestamp'}"
MEMBERSHIP_KEYS="{'RoomId', 'Member', 'Role', 'InvitedBy', 'UpdatedTimestamp'}"
BOT_KEYS="{'BotId', 'UserId', 'DisplayName', 'BotType', 'Disabled', 'CreatedTimestamp', 'UpdatedTimestamp', 'BotEmail', 'SecurityToken'}"

wait_for_event() { # wait_for_event BOT EVENTTYPE: until the outbox holds that event Delivered; sets OUT
	local i
	for i in $(seq 1 100); do
		control GET "/_chimed/bot-events?bot-id=$1"
		if J=$OUT "$PY" -c "$PYJSON
sys.exit(0 if any(e['EventType'] == '$2' and e['Status'] == 'Delivered' for e in d['Events']) else 1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------------------------------------------------------
# An Enterprise account with three users (Jane Doe, Zhang Wei, Sofia Martinez, as in the documented samples)
# ------------------------------------------------------------------------------------------------------------
ok "create-account" create-account --name "cli-rooms-$RUN"
ACCT=$(val 'd["Account"]["AccountId"]')
fails "list-bots on a Team account" ForbiddenException list-bots --account-id "$ACCT"
control PUT "/_chimed/accounts/$ACCT/type" '{"AccountType":"EnterpriseDirectory"}'
if [ "$RC" -eq 0 ]; then pass "PUT /_chimed/accounts/{a}/type EnterpriseDirectory"; else fail "PUT type" "$ERR $OUT"; fi
JANE_EMAIL="janed-$RUN@example.com" WEI_EMAIL="zhangw-$RUN@example.com" SOFIA_EMAIL="sofiamartinez-$RUN@example.com"
ok "create-user Jane Doe" create-user --account-id "$ACCT" --username "Jane Doe" --email "$JANE_EMAIL"
JANE=$(val 'd["User"]["UserId"]')
ok "create-user Zhang Wei" create-user --account-id "$ACCT" --username "Zhang Wei" --email "$WEI_EMAIL"
WEI=$(val 'd["User"]["UserId"]')
ok "create-user Sofia Martinez" create-user --account-id "$ACCT" --username "Sofia Martinez" --email "$SOFIA_EMAIL"
SOFIA=$(val 'd["User"]["UserId"]')

# ------------------------------------------------------------------------------------------------------------
# Rooms
# ------------------------------------------------------------------------------------------------------------
ok "create-room (documented example)" create-room --account-id "$ACCT" --name chatRoom
expect "create-room: the documented Room shape" \
	"set(d) == {'Room'} and set(d['Room']) == $ROOM_KEYS and d['Room']['Name'] == 'chatRoom' and d['Room']['AccountId'] == '$ACCT' and $(printf "$UUID" "d['Room']['RoomId']") and $(printf "$ARN_RE" "d['Room']['CreatedBy']") and $(printf "$ISO" "d['Room']['CreatedTimestamp']") and d['Room']['UpdatedTimestamp'] == d['Room']['CreatedTimestamp']"
ROOM=$(val 'd["Room"]["RoomId"]')
CREATED_ROOM=$(val 'repr(d)') # a Python literal of the output
fails "create-room with a blank name" BadRequestException create-room --account-id "$ACCT" --name "   "

ok "get-room (documented example)" get-room --account-id "$ACCT" --room-id "$ROOM"
expect "get-room: the room as created" "d == $CREATED_ROOM"
fails "get-room of an unknown room" NotFoundException get-room --account-id "$ACCT" --room-id "$UNKNOWN"

sleep 0.01
ok "update-room (documented example)" update-room --account-id "$ACCT" --room-id "$ROOM" --name teamRoom
expect "update-room: renamed, UpdatedTimestamp moved on" \
	"set(d['Room']) == $ROOM_KEYS and d['Room']['Name'] == 'teamRoom' and d['Room']['RoomId'] == '$ROOM' and d['Room']['CreatedTimestamp'] == $CREATED_ROOM['Room']['CreatedTimestamp'] and d['Room']['UpdatedTimestamp'] > d['Room']['CreatedTimestamp']"
UPDATED_ROOM=$(val 'repr(d)') # a Python literal of the output
fails "update-room of an unknown room" NotFoundException update-room --account-id "$ACCT" --room-id "$UNKNOWN" --name teamRoom

# ------------------------------------------------------------------------------------------------------------
# Memberships
# ------------------------------------------------------------------------------------------------------------
ok "create-room-membership (documented example)" create-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$JANE"
expect "create-room-membership: the documented RoomMembership shape" \
	"set(d) == {'RoomMembership'} and set(d['RoomMembership']) == $MEMBERSHIP_KEYS and d['RoomMembership']['RoomId'] == '$ROOM' and d['RoomMembership']['Member'] == {'MemberId': '$JANE', 'MemberType': 'User', 'Email': '$JANE_EMAIL', 'FullName': 'Jane Doe', 'AccountId': '$ACCT'} and d['RoomMembership']['Role'] == 'Member' and d['RoomMembership']['InvitedBy'] == $CREATED_ROOM['Room']['CreatedBy'] and $(printf "$ISO" "d['RoomMembership']['UpdatedTimestamp']")"
fails "create-room-membership of a member" ConflictException create-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$JANE"

ok "batch-create-room-membership (documented example)" batch-create-room-membership --account-id "$ACCT" --room-id "$ROOM" \
	--membership-item-list "MemberId=$WEI,Role=Administrator" "MemberId=$SOFIA,Role=Member"
expect "batch-create-room-membership: {\"Errors\": []}" "d == {'Errors': []}"
fails "batch-create-room-membership with a role outside the enum" BadRequestException batch-create-room-membership \
	--account-id "$ACCT" --room-id "$ROOM" --membership-item-list "MemberId=$WEI,Role=Owner"

ok "list-room-memberships (documented example)" list-room-memberships --account-id "$ACCT" --room-id "$ROOM"
expect "list-room-memberships: the documented shape, three users" \
	"set(d) == {'RoomMemberships'} and all(set(m) == $MEMBERSHIP_KEYS and set(m['Member']) == {'MemberId', 'MemberType', 'Email', 'FullName', 'AccountId'} and m['Member']['MemberType'] == 'User' and m['RoomId'] == '$ROOM' for m in d['RoomMemberships']) and sorted((m['Member']['FullName'], m['Role']) for m in d['RoomMemberships']) == [('Jane Doe', 'Member'), ('Sofia Martinez', 'Member'), ('Zhang Wei', 'Administrator')]"
fails "list-room-memberships of an unknown room" NotFoundException list-room-memberships --account-id "$ACCT" --room-id "$UNKNOWN"

ok "list-rooms --member-id (documented example)" list-rooms --account-id "$ACCT" --member-id "$JANE"
expect "list-rooms: the model's Rooms list holds the renamed room (the sample's singular Room is an artefact)" \
	"d == {'Rooms': [$UPDATED_ROOM['Room']]}"
fails "list-rooms --max-results 100" BadRequestException list-rooms --account-id "$ACCT" --max-results 100

sleep 0.01
ok "update-room-membership (documented example)" update-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$JANE" --role Administrator
expect "update-room-membership: the documented shape, now Administrator" \
	"set(d['RoomMembership']) == $MEMBERSHIP_KEYS and d['RoomMembership']['Role'] == 'Administrator' and d['RoomMembership']['Member']['Email'] == '$JANE_EMAIL' and d['RoomMembership']['Member']['FullName'] == 'Jane Doe' and $(printf "$ISO" "d['RoomMembership']['UpdatedTimestamp']")"
fails "update-room-membership of a non-member" NotFoundException update-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$UNKNOWN" --role Member

ok "delete-room-membership (documented example)" delete-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$SOFIA"
expect "delete-room-membership: no output" "d is None"
fails "delete-room-membership again" NotFoundException delete-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$SOFIA"

# ------------------------------------------------------------------------------------------------------------
# Bots
# ------------------------------------------------------------------------------------------------------------
ok "create-bot (documented example)" create-bot --account-id "$ACCT" --display-name "myBot" --domain "example.com"
expect "create-bot: the documented Bot shape" \
	"set(d) == {'Bot'} and set(d['Bot']) == $BOT_KEYS and $(printf "$UUID" "d['Bot']['BotId']") and d['Bot']['UserId'] == d['Bot']['BotId'] and d['Bot']['DisplayName'] == 'myBot (Bot)' and d['Bot']['BotType'] == 'ChatBot' and d['Bot']['Disabled'] is False and d['Bot']['BotEmail'] == 'myBot-chimebot@example.com' and re.fullmatch(r'[A-Za-z0-9+/]{40}', d['Bot']['SecurityToken']) and $(printf "$ISO" "d['Bot']['CreatedTimestamp']") and d['Bot']['UpdatedTimestamp'] == d['Bot']['CreatedTimestamp']"
BOT=$(val 'd["Bot"]["BotId"]')
CREATED_BOT=$(val 'repr(d)') # a Python literal of the output
fails "create-bot with a bot email already taken" BadRequestException create-bot --account-id "$ACCT" --display-name "MYBOT" --domain "example.com"

ok "get-bot (documented example)" get-bot --account-id "$ACCT" --bot-id "$BOT"
expect "get-bot: the bot as created, token included" "d == $CREATED_BOT"
fails "get-bot of an unknown bot" NotFoundException get-bot --account-id "$ACCT" --bot-id "$UNKNOWN"

ok "list-bots (documented example)" list-bots --account-id "$ACCT"
expect "list-bots: the model's Bots list (the sample's singular Bot is an artefact)" "d == {'Bots': [$CREATED_BOT['Bot']]}"

ok "update-bot --disabled (documented example)" update-bot --account-id "$ACCT" --bot-id "$BOT" --disabled
expect "update-bot: Disabled true, UpdatedTimestamp unchanged as in the sample" "d == {'Bot': dict($CREATED_BOT['Bot'], Disabled=True)}"
fails "update-bot of an unknown bot" NotFoundException update-bot --account-id "$ACCT" --bot-id "$UNKNOWN" --disabled
ok "update-bot --no-disabled" update-bot --account-id "$ACCT" --bot-id "$BOT" --no-disabled
expect "update-bot: enabled again" "d == $CREATED_BOT"

ok "regenerate-security-token (documented example)" regenerate-security-token --account-id "$ACCT" --bot-id "$BOT"
expect "regenerate-security-token: a new token, the rest unchanged" \
	"re.fullmatch(r'[A-Za-z0-9+/]{40}', d['Bot']['SecurityToken']) and d['Bot']['SecurityToken'] != $CREATED_BOT['Bot']['SecurityToken'] and d == {'Bot': dict($CREATED_BOT['Bot'], SecurityToken=d['Bot']['SecurityToken'])}"
TOKEN=$(val 'd["Bot"]["SecurityToken"]')
fails "regenerate-security-token of an unknown bot" NotFoundException regenerate-security-token --account-id "$ACCT" --bot-id "$UNKNOWN"

# ------------------------------------------------------------------------------------------------------------
# Events configuration (no documented example): demo_bot.py answers the challenge with the regenerated token
# ------------------------------------------------------------------------------------------------------------
fails "get-events-configuration before any" NotFoundException get-events-configuration --account-id "$ACCT" --bot-id "$BOT"
"$PY" "$HERE/../python/demo_bot.py" --token "$TOKEN" >"$TMP/bot.log" 2>&1 &
BOT_PID=$!
BOT_URL=
for _ in $(seq 1 100); do
	BOT_URL=$(sed -n 's/^listening on //p' "$TMP/bot.log")
	[ -n "$BOT_URL" ] && break
	sleep 0.05
done
if [ -n "$BOT_URL" ]; then pass "demo_bot.py listens"; else fail "demo_bot.py listens" "$(cat "$TMP/bot.log")"; fi

ok "put-events-configuration --outbound-events-https-endpoint" put-events-configuration --account-id "$ACCT" --bot-id "$BOT" \
	--outbound-events-https-endpoint "$BOT_URL"
expect "put-events-configuration: {EventsConfiguration: {BotId, OutboundEventsHTTPSEndpoint}}" \
	"d == {'EventsConfiguration': {'BotId': '$BOT', 'OutboundEventsHTTPSEndpoint': '$BOT_URL'}}"
fails "put-events-configuration with both targets" BadRequestException put-events-configuration --account-id "$ACCT" --bot-id "$BOT" \
	--outbound-events-https-endpoint "$BOT_URL" --lambda-function-arn "arn:aws:lambda:us-east-1:111122223333:function:myBot"
ok "get-events-configuration" get-events-configuration --account-id "$ACCT" --bot-id "$BOT"
expect "get-events-configuration: as put" "d == {'EventsConfiguration': {'BotId': '$BOT', 'OutboundEventsHTTPSEndpoint': '$BOT_URL'}}"

ok "create-room-membership of the configured bot" create-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$BOT"
expect "the bot is a Member with its BotEmail" \
	"d['RoomMembership']['Member'] == {'MemberId': '$BOT', 'MemberType': 'Bot', 'Email': 'myBot-chimebot@example.com', 'FullName': 'myBot (Bot)', 'AccountId': '$ACCT'} and d['RoomMembership']['Role'] == 'Member'"
if wait_for_event "$BOT" Invite; then pass "the Invite is Delivered"; else fail "the Invite is Delivered" "$OUT"; fi
ok "delete-room-membership of the bot" delete-room-membership --account-id "$ACCT" --room-id "$ROOM" --member-id "$BOT"
if wait_for_event "$BOT" Remove; then pass "the Remove is Delivered"; else fail "the Remove is Delivered" "$OUT"; fi
# demo_bot.py prints its URL, then one JSON line per request it judged
OUT=$(sed 1d "$TMP/bot.log" | "$PY" -c 'import json, sys; print(json.dumps([json.loads(l) for l in sys.stdin if l.strip()]))')
expect "demo_bot.py verified the challenge, Invite and Remove signatures and refused nothing" \
	"[(r['verified'], r['event']['EventType']) for r in d] == [(True, 'HTTPSEndpointVerification'), (True, 'Invite'), (True, 'Remove')]"

ok "delete-events-configuration" delete-events-configuration --account-id "$ACCT" --bot-id "$BOT"
expect "delete-events-configuration: no output" "d is None"
fails "delete-events-configuration of an unknown bot (no NotFound modeled)" BadRequestException delete-events-configuration \
	--account-id "$ACCT" --bot-id "$UNKNOWN"

# ------------------------------------------------------------------------------------------------------------
# Redaction (no documented example); messages come from the /_chimed endpoints
# ------------------------------------------------------------------------------------------------------------
control POST "/_chimed/accounts/$ACCT/rooms/$ROOM/messages" "{\"SenderId\":\"$JANE\",\"Content\":\"please remove me\"}"
MSG=$(val 'd["Message"]["MessageId"]')
ok "redact-room-message" redact-room-message --account-id "$ACCT" --room-id "$ROOM" --message-id "$MSG"
expect "redact-room-message: an empty result" "d in (None, {})"
control GET "/_chimed/accounts/$ACCT/rooms/$ROOM/messages"
expect "the message keeps its place, redacted, without content" \
	"[(m['MessageId'], m['Redacted'], 'Content' in m) for m in d['Messages']] == [('$MSG', True, False)]"
fails "redact-room-message of an unknown message" NotFoundException redact-room-message --account-id "$ACCT" --room-id "$ROOM" --message-id "$UNKNOWN"

control POST "/_chimed/accounts/$ACCT/conversations" "{\"MemberIds\":[\"$JANE\",\"$WEI\"]}"
CONV=$(val 'd["Conversation"]["ConversationId"]')
control POST "/_chimed/accounts/$ACCT/conversations/$CONV/messages" "{\"SenderId\":\"$WEI\",\"Content\":\"between us\"}"
MSG=$(val 'd["Message"]["MessageId"]')
ok "redact-conversation-message" redact-conversation-message --account-id "$ACCT" --conversation-id "$CONV" --message-id "$MSG"
expect "redact-conversation-message: an empty result" "d in (None, {})"
fails "redact-conversation-message of an unknown message" NotFoundException redact-conversation-message --account-id "$ACCT" \
	--conversation-id "$CONV" --message-id "$UNKNOWN"

# ------------------------------------------------------------------------------------------------------------
# delete-room
# ------------------------------------------------------------------------------------------------------------
ok "delete-room (documented example)" delete-room --account-id "$ACCT" --room-id "$ROOM"
expect "delete-room: no output" "d is None"
fails "delete-room again" NotFoundException delete-room --account-id "$ACCT" --room-id "$ROOM"

finish
