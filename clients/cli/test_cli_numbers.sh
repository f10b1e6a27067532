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

SUITE_NAME=cli-numbers
SERVER_FLAGS=(--allow-clock-control)
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # the shared harness: server, credentials, checks

use_other_account 444455556666 # as_other CMD…: CMD acting in that AWS account

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

finish
