#!/usr/bin/env bash
# Conformance suite: the real AWS CLI v1 (`aws chime …`) against a freshly started chimed server.
#
# A scripted administrator session: create an account, invite users, find them by email, update them, page
# through them, convert accounts (chimed control endpoint), create directory users, suspend and unsuspend, reset
# PINs, log users out, delete — checking the JSON output and, for failures, the exit code (255 for a service
# error in CLI v1) and the modeled exception name the CLI prints.
#
# usage: CHIMED_BIN=/path/to/chimed bash clients/cli/test_cli.sh   (builds the server when CHIMED_BIN is unset)
# Last line: "N passed, M failed"; exit status 0 only when M is 0.
set -u

SUITE_NAME=cli
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # the shared harness: server, credentials, checks

# ------------------------------------------------------------------------------------------------------------
# A Team account: create, inspect, rename, settings
# ------------------------------------------------------------------------------------------------------------
ok "create-account" create-account --name "Acme $RUN"
expect "new account is an active Team account with Pro default" \
	'd["Account"]["AccountType"] == "Team" and d["Account"]["DefaultLicense"] == "Pro" and d["Account"]["SupportedLicenses"] == ["Basic", "Pro"] and d["Account"]["AccountStatus"] == "Active"'
expect "account belongs to the caller's AWS account" "d['Account']['AwsAccountId'] == '$AWS_ACCOUNT'"
expect "CreatedTimestamp is ISO-8601" "$(printf "$ISO" 'd["Account"]["CreatedTimestamp"]')"
ACCT=$(val 'd["Account"]["AccountId"]')

ok "get-account" get-account --account-id "$ACCT"
expect "get-account returns the account" "d['Account']['AccountId'] == '$ACCT' and d['Account']['Name'] == 'Acme $RUN'"

ok "list-accounts --name prefix" list-accounts --name "Acme $RUN"
expect "list-accounts finds exactly the account" "[a['AccountId'] for a in d['Accounts']] == ['$ACCT'] and 'NextToken' not in d"

ok "update-account name and default license" update-account --account-id "$ACCT" --name "Acme Corp $RUN" --default-license Basic
expect "update-account returns the updated account" "d['Account']['Name'] == 'Acme Corp $RUN' and d['Account']['DefaultLicense'] == 'Basic'"
fails "update-account with an unsupported license" BadRequestException update-account --account-id "$ACCT" --default-license Plus

ok "get-account-settings" get-account-settings --account-id "$ACCT"
expect "default account settings are both false" 'd == {"AccountSettings": {"DisableRemoteControl": False, "EnableDialOut": False}}'
ok "update-account-settings" update-account-settings --account-id "$ACCT" --account-settings EnableDialOut=true
expect "update-account-settings prints nothing (204)" 'd is None'
ok "get-account-settings after update" get-account-settings --account-id "$ACCT"
expect "only EnableDialOut changed" 'd["AccountSettings"] == {"DisableRemoteControl": False, "EnableDialOut": True}'

# ------------------------------------------------------------------------------------------------------------
# Invitations, lookups by email, paging
# ------------------------------------------------------------------------------------------------------------
E1="alice-$RUN@example.com"
E2="bob+chime-$RUN@example.com"
E3="carol $RUN@example.com"
ok "invite-users" invite-users --account-id "$ACCT" --user-email-list "$E1" "$E2" "$E3"
expect "three pending invites in request order" \
	"[i['EmailAddress'] for i in d['Invites']] == ['$E1', '$E2', '$E3'] and all(i['Status'] == 'Pending' and i['EmailStatus'] == 'NotSent' for i in d['Invites'])"

ok "list-users --user-email with +" list-users --account-id "$ACCT" --user-email "$E2"
expect "exactly the + address, pending, with the new default license" \
	"[u['PrimaryEmail'] for u in d['Users']] == ['$E2'] and d['Users'][0]['UserRegistrationStatus'] == 'Unregistered' and d['Users'][0]['UserInvitationStatus'] == 'Pending' and d['Users'][0]['LicenseType'] == 'Basic'"
expect "InvitedOn is ISO-8601, no PIN in lists" "$(printf "$ISO" 'd["Users"][0]["InvitedOn"]') and 'PersonalPIN' not in d['Users'][0]"
U2=$(val 'd["Users"][0]["UserId"]')

ok "list-users --user-email with a space, upper-cased" list-users --account-id "$ACCT" --user-email "${E3^^}"
expect "case-insensitive exact match" "[u['PrimaryEmail'] for u in d['Users']] == ['$E3']"
U3=$(val 'd["Users"][0]["UserId"]')

ok "list-accounts --user-email" list-accounts --user-email "$E1"
expect "the account of that user" "[a['AccountId'] for a in d['Accounts']] == ['$ACCT']"

ok "list-users --page-size 1 (CLI follows NextToken)" list-users --account-id "$ACCT" --page-size 1
expect "all three users, each once, in invitation order" "[u['PrimaryEmail'] for u in d['Users']] == ['$E1', '$E2', '$E3']"
U1=$(val 'd["Users"][0]["UserId"]')

ok "list-users --max-items 2" list-users --account-id "$ACCT" --page-size 1 --max-items 2
expect "two users and a NextToken" "len(d['Users']) == 2 and d.get('NextToken')"
TOKEN=$(val 'd["NextToken"]')
ok "list-users --starting-token" list-users --account-id "$ACCT" --page-size 1 --starting-token "$TOKEN"
expect "the remaining user" "[u['PrimaryEmail'] for u in d['Users']] == ['$E3']"

chime list-users --account-id "$ACCT" --query 'Users[].PrimaryEmail' --output text
if [ "$RC" -eq 0 ] && [ "$(tr '\t' '\n' <<<"$OUT" | sort | tr '\n' '|')" = "$(printf '%s\n' "$E1" "$E2" "$E3" | sort | tr '\n' '|')" ]; then
	pass "list-users --query --output text"
else
	fail "list-users --query --output text" "exit $RC: $OUT $ERR"
fi

# ------------------------------------------------------------------------------------------------------------
# Users: accept an invitation (control endpoint), read, update, PINs, logout
# ------------------------------------------------------------------------------------------------------------
control POST "/_chimed/accounts/$ACCT/users/$U1/register" '{"DisplayName":"Alice Example"}'
if [ "$RC" -eq 0 ]; then pass "register (accept invitation) via control endpoint"; else fail "register via control endpoint" "$ERR $OUT"; fi

ok "get-user" get-user --account-id "$ACCT" --user-id "$U1"
expect "registered user with display name and a 10-digit PIN" \
	"d['User']['UserRegistrationStatus'] == 'Registered' and d['User']['UserInvitationStatus'] == 'Accepted' and d['User']['DisplayName'] == 'Alice Example' and re.fullmatch(r'\d{10}', d['User']['PersonalPIN'])"
expect "RegisteredOn is ISO-8601" "$(printf "$ISO" 'd["User"]["RegisteredOn"]')"
PIN=$(val 'd["User"]["PersonalPIN"]')

ok "update-user --license-type Pro" update-user --account-id "$ACCT" --user-id "$U1" --license-type Pro
expect "update-user returns the updated user" "d['User']['UserId'] == '$U1' and d['User']['LicenseType'] == 'Pro'"
fails "update-user with an unknown license" BadRequestException update-user --account-id "$ACCT" --user-id "$U1" --license-type Gold

MISSING=$("$PY" -c 'import uuid; print(uuid.uuid4())')
ok "batch-update-user" batch-update-user --account-id "$ACCT" --update-user-request-items \
	"UserId=$U1,LicenseType=Basic" "UserId=$U2,UserType=SharedDevice" "UserId=$MISSING,LicenseType=Basic"
expect "one per-item NotFound for the unknown id" "[(e['UserId'], e['ErrorCode']) for e in d['UserErrors']] == [('$MISSING', 'NotFound')]"
ok "get-user after batch update" get-user --account-id "$ACCT" --user-id "$U2"
expect "user type changed" "d['User']['UserType'] == 'SharedDevice'"

ok "reset-personal-pin" reset-personal-pin --account-id "$ACCT" --user-id "$U1"
expect "a different 10-digit PIN" "re.fullmatch(r'\d{10}', d['User']['PersonalPIN']) and d['User']['PersonalPIN'] != '$PIN'"

ok "logout-user" logout-user --account-id "$ACCT" --user-id "$U1"
expect "logout-user prints nothing (204)" 'd is None'

# ------------------------------------------------------------------------------------------------------------
# Failures: exit code 255 and the modeled exception
# ------------------------------------------------------------------------------------------------------------
fails "get-account on an unknown id" NotFoundException get-account --account-id "$MISSING"
fails "get-account on an id with a space, slash and percent" NotFoundException get-account --account-id "no such/id 100%"
fails "get-user on an unknown user" NotFoundException get-user --account-id "$ACCT" --user-id "$MISSING"
fails "logout-user on an unknown user" NotFoundException logout-user --account-id "$ACCT" --user-id "$MISSING"
fails "create-account with a blank name" BadRequestException create-account --name "   "
fails "list-accounts --max-results 500" BadRequestException list-accounts --max-results 500
fails "invite-users with a malformed address" BadRequestException invite-users --account-id "$ACCT" --user-email-list not-an-email
fails "create-user on a Team account" BadRequestException create-user --account-id "$ACCT" --email "x-$RUN@example.com"
fails "batch-unsuspend-user on a Team account" BadRequestException batch-unsuspend-user --account-id "$ACCT" --user-id-list "$U1"

# ------------------------------------------------------------------------------------------------------------
# Removing users from a Team account, then deleting it
# ------------------------------------------------------------------------------------------------------------
fails "delete-account while users remain" UnprocessableEntityException delete-account --account-id "$ACCT"
ok "batch-suspend-user (Team: removes users)" batch-suspend-user --account-id "$ACCT" --user-id-list "$U1" "$U2" "$U3"
expect "no user errors" 'd == {"UserErrors": []}'
ok "list-users after removal" list-users --account-id "$ACCT"
expect "no users left" 'd["Users"] == []'
fails "get-user of a removed Team user" NotFoundException get-user --account-id "$ACCT" --user-id "$U1"
ok "delete-account" delete-account --account-id "$ACCT"
expect "delete-account prints nothing (204)" 'd is None'
fails "get-account after delete" NotFoundException get-account --account-id "$ACCT"
fails "delete-account twice" NotFoundException delete-account --account-id "$ACCT"

# ------------------------------------------------------------------------------------------------------------
# An EnterpriseDirectory account: create-user, email conflicts
# ------------------------------------------------------------------------------------------------------------
ok "create-account (directory)" create-account --name "Directory $RUN"
DIR=$(val 'd["Account"]["AccountId"]')
control PUT "/_chimed/accounts/$DIR/type" '{"AccountType":"EnterpriseDirectory"}'
if [ "$RC" -eq 0 ] && J=$OUT "$PY" -c "$PYJSON
sys.exit(d['Account']['AccountType'] != 'EnterpriseDirectory')"; then
	pass "convert to EnterpriseDirectory via control endpoint"
else
	fail "convert to EnterpriseDirectory via control endpoint" "$ERR $OUT"
fi
DE="room-$RUN@example.com"
ok "create-user" create-user --account-id "$DIR" --username "Board Room" --email "$DE" --user-type SharedDevice
expect "created user is registered with a PIN" \
	"d['User']['PrimaryEmail'] == '$DE' and d['User']['DisplayName'] == 'Board Room' and d['User']['UserType'] == 'SharedDevice' and d['User']['UserRegistrationStatus'] == 'Registered' and re.fullmatch(r'\d{10}', d['User']['PersonalPIN'])"
DU=$(val 'd["User"]["UserId"]')
fails "create-user with a taken email" ConflictException create-user --account-id "$DIR" --email "${DE^^}"
fails "batch-suspend-user on a directory account" BadRequestException batch-suspend-user --account-id "$DIR" --user-id-list "$DU"

# ------------------------------------------------------------------------------------------------------------
# An EnterpriseLWA account: suspend and unsuspend
# ------------------------------------------------------------------------------------------------------------
ok "create-account (LWA)" create-account --name "LWA $RUN"
LWA=$(val 'd["Account"]["AccountId"]')
LE="lwa-$RUN@example.com"
ok "invite-users (LWA-to-be)" invite-users --account-id "$LWA" --user-email-list "$LE"
ok "list-users --user-email (LWA)" list-users --account-id "$LWA" --user-email "$LE"
LU=$(val 'd["Users"][0]["UserId"]')
control PUT "/_chimed/accounts/$LWA/type" '{"AccountType":"EnterpriseLWA"}'
if [ "$RC" -eq 0 ]; then pass "convert to EnterpriseLWA via control endpoint"; else fail "convert to EnterpriseLWA" "$ERR $OUT"; fi
control POST "/_chimed/accounts/$LWA/users/$LU/register" '{"DisplayName":"Lou"}'
if [ "$RC" -eq 0 ]; then pass "register LWA user"; else fail "register LWA user" "$ERR $OUT"; fi
ok "batch-suspend-user (LWA)" batch-suspend-user --account-id "$LWA" --user-id-list "$LU"
ok "get-user after suspend" get-user --account-id "$LWA" --user-id "$LU"
expect "user is Suspended" "d['User']['UserRegistrationStatus'] == 'Suspended'"
ok "batch-unsuspend-user (LWA)" batch-unsuspend-user --account-id "$LWA" --user-id-list "$LU" "$MISSING"
expect "per-item NotFound only for the unknown id" "[(e['UserId'], e['ErrorCode']) for e in d['UserErrors']] == [('$MISSING', 'NotFound')]"
ok "get-user after unsuspend" get-user --account-id "$LWA" --user-id "$LU"
expect "user is Registered again" "d['User']['UserRegistrationStatus'] == 'Registered'"
fails "delete-account with an unsuspended LWA user" UnprocessableEntityException delete-account --account-id "$LWA"

# ------------------------------------------------------------------------------------------------------------
# User settings, sign-in delegate groups, global settings (the documented examples of awscli/examples/chime)
# ------------------------------------------------------------------------------------------------------------
ok "get-user-settings (documented example)" get-user-settings --account-id "$DIR" --user-id "$DU"
expect "the documented defaults: all three on" \
	'd == {"UserSettings": {"Telephony": {"InboundCalling": True, "OutboundCalling": True, "SMS": True}}}'
ok "update-user-settings (documented example)" update-user-settings --account-id "$DIR" --user-id "$DU" \
	--user-settings "Telephony={InboundCalling=true,OutboundCalling=true,SMS=true}"
expect "update-user-settings prints nothing (204)" 'd is None'
ok "update-user-settings (calls off)" update-user-settings --account-id "$DIR" --user-id "$DU" \
	--user-settings "Telephony={InboundCalling=false,OutboundCalling=false,SMS=true}"
ok "get-user-settings after update" get-user-settings --account-id "$DIR" --user-id "$DU"
expect "all three replaced" 'd["UserSettings"]["Telephony"] == {"InboundCalling": False, "OutboundCalling": False, "SMS": True}'
fails "get-user-settings of an unknown user" NotFoundException get-user-settings --account-id "$DIR" --user-id "$MISSING"
fails "update-user-settings of an unknown user" NotFoundException update-user-settings --account-id "$DIR" --user-id "$MISSING" \
	--user-settings "Telephony={InboundCalling=true,OutboundCalling=true,SMS=true}"
fails "get-user-settings in an unknown account" NotFoundException get-user-settings --account-id "$MISSING" --user-id "$DU"
ok "get-user-settings of an LWA user" get-user-settings --account-id "$LWA" --user-id "$LU"
expect "defaults are per user: all three on" 'd["UserSettings"]["Telephony"] == {"InboundCalling": True, "OutboundCalling": True, "SMS": True}'

ok "associate-signin-delegate-groups-with-account (documented example)" associate-signin-delegate-groups-with-account \
	--account-id "$DIR" --signin-delegate-groups GroupName=my_users
expect "associate prints nothing, as documented (empty output shape)" 'd is None'
ok "associate-signin-delegate-groups-with-account: a second group, a repeat and a case variant" \
	associate-signin-delegate-groups-with-account --account-id "$DIR" \
	--signin-delegate-groups GroupName=Admins GroupName=my_users GroupName=MY_USERS
ok "get-account shows the delegate group" get-account --account-id "$DIR"
expect "SigninDelegateGroups: set union in first-association order, case-sensitive" \
	'd["Account"]["SigninDelegateGroups"] == [{"GroupName": "my_users"}, {"GroupName": "Admins"}, {"GroupName": "MY_USERS"}]'
fails "associate-signin-delegate-groups-with-account on an EnterpriseLWA account" ForbiddenException \
	associate-signin-delegate-groups-with-account --account-id "$LWA" --signin-delegate-groups GroupName=my_users
ok "disassociate-signin-delegate-groups-from-account (documented example)" \
	disassociate-signin-delegate-groups-from-account --account-id "$DIR" --group-names "my_users"
expect "disassociate prints nothing, as documented" 'd is None'
ok "get-account after disassociate" get-account --account-id "$DIR"
expect "only my_users was removed" 'd["Account"]["SigninDelegateGroups"] == [{"GroupName": "Admins"}, {"GroupName": "MY_USERS"}]'
ok "disassociate the rest and an unknown name" \
	disassociate-signin-delegate-groups-from-account --account-id "$DIR" --group-names Admins MY_USERS nobody
ok "get-account after disassociating everything" get-account --account-id "$DIR"
expect "no SigninDelegateGroups left" '"SigninDelegateGroups" not in d["Account"]'
fails "associate-signin-delegate-groups-with-account on an unknown account" NotFoundException \
	associate-signin-delegate-groups-with-account --account-id "$MISSING" --signin-delegate-groups GroupName=my_users
fails "associate-signin-delegate-groups-with-account with a 257-character name" BadRequestException \
	associate-signin-delegate-groups-with-account --account-id "$DIR" --signin-delegate-groups "GroupName=$(printf 'g%.0s' $(seq 1 257))"
fails "disassociate-signin-delegate-groups-from-account on an EnterpriseLWA account" ForbiddenException \
	disassociate-signin-delegate-groups-from-account --account-id "$LWA" --group-names my_users

ok "get-global-settings never set" get-global-settings
expect "both empty" 'd == {"BusinessCalling": {}, "VoiceConnector": {}}'
ok "update-global-settings (documented example)" update-global-settings \
	--business-calling CdrBucket="s3bucket" --voice-connector CdrBucket="s3bucket"
expect "update-global-settings prints nothing (204)" 'd is None'
ok "get-global-settings (documented example)" get-global-settings
expect "the documented output" 'd == {"BusinessCalling": {"CdrBucket": "s3bucket"}, "VoiceConnector": {"CdrBucket": "s3bucket"}}'
fails "update-global-settings with a bucket name S3 refuses" BadRequestException update-global-settings \
	--business-calling CdrBucket="Not_A_Bucket"
ok "update-global-settings: clear one bucket, leave the other" update-global-settings --voice-connector CdrBucket=""
ok "get-global-settings after clearing" get-global-settings
expect "BusinessCalling kept, VoiceConnector cleared" 'd == {"BusinessCalling": {"CdrBucket": "s3bucket"}, "VoiceConnector": {}}'

# ------------------------------------------------------------------------------------------------------------
# Retention settings (§4.20; aws-cli has no documented example for these two commands)
# ------------------------------------------------------------------------------------------------------------
ok "get-retention-settings never set" get-retention-settings --account-id "$DIR"
expect "an empty RetentionSettings, no InitiateDeletionTimestamp" 'd == {"RetentionSettings": {}}'
ok "put-retention-settings" put-retention-settings --account-id "$DIR" \
	--retention-settings "RoomRetentionSettings={RetentionDays=5},ConversationRetentionSettings={RetentionDays=5475}"
expect "put-retention-settings prints nothing (204)" 'd is None'
ok "get-retention-settings after put" get-retention-settings --account-id "$DIR"
expect "both policies and a deletion start" \
	"d['RetentionSettings'] == {'RoomRetentionSettings': {'RetentionDays': 5}, 'ConversationRetentionSettings': {'RetentionDays': 5475}} and $(printf "$ISO" 'd["InitiateDeletionTimestamp"]')"
ok "put-retention-settings: room policy off" put-retention-settings --account-id "$DIR" --retention-settings '{"RoomRetentionSettings":{}}'
ok "get-retention-settings after turning the room policy off" get-retention-settings --account-id "$DIR"
expect "only the conversation policy is left" "d['RetentionSettings'] == {'ConversationRetentionSettings': {'RetentionDays': 5475}} and 'InitiateDeletionTimestamp' in d"
ok "put-retention-settings: conversation policy off" put-retention-settings --account-id "$DIR" --retention-settings '{"ConversationRetentionSettings":{}}'
ok "get-retention-settings with both off" get-retention-settings --account-id "$DIR"
expect "no policies, no deletion start" 'd == {"RetentionSettings": {}}'
fails "put-retention-settings with 5476 days" BadRequestException put-retention-settings --account-id "$DIR" \
	--retention-settings "RoomRetentionSettings={RetentionDays=5476}"
fails "get-retention-settings in an unknown account" NotFoundException get-retention-settings --account-id "$MISSING"
ok "create-account (Team, for refusals)" create-account --name "Team $RUN"
TEAM=$(val 'd["Account"]["AccountId"]')
fails "get-retention-settings on a Team account" ForbiddenException get-retention-settings --account-id "$TEAM"
fails "put-retention-settings on a Team account" ForbiddenException put-retention-settings --account-id "$TEAM" \
	--retention-settings "RoomRetentionSettings={RetentionDays=5}"
fails "associate-signin-delegate-groups-with-account on a Team account" ForbiddenException \
	associate-signin-delegate-groups-with-account --account-id "$TEAM" --signin-delegate-groups GroupName=my_users

# ------------------------------------------------------------------------------------------------------------
# Phone numbers: search the pools (D21, D22) and the supported countries (D30)
# ------------------------------------------------------------------------------------------------------------
# awscli/examples/chime/search-available-phone-numbers.rst, verbatim: `--area-code "206"` lists ten numbers
ok "search-available-phone-numbers (documented example)" search-available-phone-numbers --area-code "206"
expect "the documented ten numbers, +12065550100 to +12065550109" \
	"d['E164PhoneNumbers'] == ['+1206555%04d' % n for n in range(100, 110)] and d.get('NextToken')"
ok "search-available-phone-numbers next page" search-available-phone-numbers --area-code "206" --max-results 5 \
	--next-token "$(val 'd["NextToken"]')"
expect "the next five numbers" "d['E164PhoneNumbers'] == ['+1206555%04d' % n for n in range(110, 115)]"
ok "search-available-phone-numbers by toll-free prefix" search-available-phone-numbers --toll-free-prefix 844 --max-results 3
expect "three toll-free numbers" "d['E164PhoneNumbers'] == ['+18445550100', '+18445550101', '+18445550102']"
ok "search-available-phone-numbers in GB" search-available-phone-numbers --country GB --phone-number-type Local --max-results 2
expect "the GB Local pool" "d['E164PhoneNumbers'] == ['+442079460000', '+442079460001']"
fails "search-available-phone-numbers without a US filter" BadRequestException search-available-phone-numbers --phone-number-type Local
fails "search-available-phone-numbers in an unsupported country" BadRequestException search-available-phone-numbers --country CA --phone-number-type Local
fails "search-available-phone-numbers --city without --state" BadRequestException search-available-phone-numbers --city Seattle
ok "list-supported-phone-number-countries BusinessCalling" list-supported-phone-number-countries --product-type BusinessCalling
expect "US Local only" 'd == {"PhoneNumberCountries": [{"CountryCode": "US", "SupportedPhoneNumberTypes": ["Local"]}]}'
ok "list-supported-phone-number-countries VoiceConnector" list-supported-phone-number-countries --product-type VoiceConnector
expect "US Local and TollFree" 'd == {"PhoneNumberCountries": [{"CountryCode": "US", "SupportedPhoneNumberTypes": ["Local", "TollFree"]}]}'
ok "list-supported-phone-number-countries SipMediaApplicationDialIn" list-supported-phone-number-countries --product-type SipMediaApplicationDialIn
expect "five countries, ascending" "[c['CountryCode'] for c in d['PhoneNumberCountries']] == ['AU', 'DE', 'FR', 'GB', 'US']"
fails "list-supported-phone-number-countries with an unknown product type" BadRequestException list-supported-phone-number-countries --product-type Nope

# ------------------------------------------------------------------------------------------------------------
# Phone number settings: the AWS account's default calling name (§4.31, D28)
# ------------------------------------------------------------------------------------------------------------
ok "get-phone-number-settings never set" get-phone-number-settings
expect "{}: the CLI prints nothing" 'd is None'
fails "update-phone-number-settings with a name outside the pattern, before any update" BadRequestException \
	update-phone-number-settings --calling-name "x"
# awscli/examples/chime/update-phone-number-settings.rst: --calling-name "myName", no output
ok "update-phone-number-settings (documented example)" update-phone-number-settings --calling-name "myName"
expect "update-phone-number-settings prints nothing (204)" 'd is None'
ok "get-phone-number-settings (documented example)" get-phone-number-settings
expect "the documented output shape: the name and an ISO-8601 timestamp" \
	"sorted(d) == ['CallingName', 'CallingNameUpdatedTimestamp'] and d['CallingName'] == 'myName' and $(printf "$ISO" 'd["CallingNameUpdatedTimestamp"]')"
fails "update-phone-number-settings again within 168 h" BadRequestException update-phone-number-settings --calling-name "Other"
fails "update-phone-number-settings with a name outside the pattern" BadRequestException update-phone-number-settings --calling-name "a-b"
ok "get-phone-number-settings after the refusals" get-phone-number-settings
expect "still the documented name" 'd["CallingName"] == "myName"'

finish
