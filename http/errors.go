package http

import (
	"errors"

	chime "github.com/chimed/chimed"
)

// exception is how one domain error code appears on the wire.
type exception struct {
	Name   string // x-amzn-ErrorType
	Status int
	bit    exceptionSet
}

// exceptionNames is the one table from domain error code to the model's exception; its status comes from the
// model. The body's "Code" is the domain code itself (it is a value of the model's ErrorCode enum). A test fails
// when a domain code has no entry.
func exceptionName(code string) (string, bool) {
	switch code {
	case chime.EINVALID, chime.EASSOCIATED:
		return "BadRequestException", true
	case chime.EUNAUTHORIZED:
		return "UnauthorizedClientException", true
	case chime.EFORBIDDEN:
		return "ForbiddenException", true
	case chime.EACCESSDENIED:
		return "AccessDeniedException", true
	case chime.ENOTFOUND:
		return "NotFoundException", true
	case chime.ECONFLICT:
		return "ConflictException", true
	case chime.EUNPROCESSABLE:
		return "UnprocessableEntityException", true
	case chime.ETHROTTLED:
		return "ThrottledClientException", true
	case chime.ELIMIT:
		return "ResourceLimitExceededException", true
	case chime.EINTERNAL:
		return "ServiceFailureException", true
	case chime.EUNAVAILABLE:
		return "ServiceUnavailableException", true
	}
	return "", false
}

// exceptionFor returns the exception of a domain error code, with the status the model gives it.
func exceptionFor(code string) (exception, bool) {
	name, ok := exceptionName(code)
	if !ok {
		return exception{}, false
	}
	for _, e := range modelExceptions() {
		if e.name == name {
			return exception{Name: name, Status: e.status, bit: e.bit}, true
		}
	}
	return exception{}, false
}

// alwaysAllowed are the exceptions any operation may answer even where the model does not list them: the rate
// limiter's 429 and failures of the server itself (docs/behavior.md §5).
const alwaysAllowed = excThrottledClientException | excServiceFailureException | excServiceUnavailableException

// Front-end errors (not modeled; body {"message": …}, docs/behavior.md §6.4 and D18).
const (
	excUnknownOperation = "UnknownOperationException"
)

// The real service's wording of the two most common errors.
const (
	msgNotFound   = "Unable to find the requested identifier"
	msgBadRequest = "Service received a bad request"
)

// writeError answers err as an AWS rest-json error, using only exceptions the operation models: a domain
// error the operation cannot answer becomes BadRequestException (docs/behavior.md D47). Internal failures are
// logged and answered as ServiceFailureException with a message that leaks nothing.
func (s *Server) writeError(c *call, err error) {
	if c.html {
		s.writeHTMLError(c, err)
		return
	}
	code := chime.ErrorCode(err)
	exc, ok := exceptionFor(code)
	if !ok {
		code = chime.EINTERNAL
		exc, _ = exceptionFor(code)
	}
	if code == chime.EINTERNAL {
		s.logger.ErrorContext(c.ctx, "internal failure", "request_id", c.reqID, "operation", c.op, "error", err)
	} else if code == chime.EUNAVAILABLE && errors.Unwrap(err) != nil { // the store's cause (a failover)
		s.logger.WarnContext(c.ctx, "service unavailable", "request_id", c.reqID, "operation", c.op,
			"error", err)
	}
	msg := s.message(c, code, err)
	if c.errs != 0 && c.errs&exc.bit == 0 && exc.bit&alwaysAllowed == 0 {
		code = chime.EINVALID
		exc, _ = exceptionFor(code)
	}
	c.w.Header().Set("x-amzn-ErrorType", exc.Name)
	c.errCode, c.errMsg = exc.Name, msg
	s.setDate(c)
	s.writeJSON(c, exc.Status, errorBody{Code: code, Message: msg})
}

// message words err for the wire: the real service's texts for BadRequest and NotFound, the domain field
// named by its wire member.
func (s *Server) message(c *call, code string, err error) string {
	msg := fieldMessage(c.op, err)
	switch code {
	case chime.ENOTFOUND:
		return msgNotFound
	case chime.EINVALID:
		return msgBadRequest + ": " + msg
	}
	return msg
}

// fieldMessage is err's message after the wire name of the field it is about, if it is about one.
func fieldMessage(op string, err error) string {
	msg := chime.ErrorMessage(err)
	if name := wireField(op, chime.ErrorField(err)); name != "" {
		msg = name + " " + msg
	}
	return msg
}

// wireField is the wire member name of a domain field in operation op: the name its clients send it by, the
// only place the domain's fields meet the model's members. It is "" only for a field it does not know.
func wireField(op string, f chime.Field) string {
	switch f {
	case chime.FieldLicense:
		if op == "UpdateAccount" {
			return "DefaultLicense"
		}
		return "LicenseType"
	case chime.FieldNextToken:
		return "next-token"
	case chime.FieldMaxResults:
		return "max-results"
	case chime.FieldEmail:
		if op == "ListUsers" || op == "ListAccounts" {
			return "user-email"
		}
		if op == "InviteUsers" {
			return "UserEmailList"
		}
		return "Email"
	case chime.FieldUserIDs:
		if op == "BatchUpdateUser" {
			return "UpdateUserRequestItems"
		}
		return "UserIdList"
	case chime.FieldName:
		if op == "ListAccounts" {
			return "name"
		}
		return "Name"
	case chime.FieldUsername:
		return "Username"
	case chime.FieldAccountID:
		return "accountId"
	case chime.FieldUserID:
		return "userId"
	case chime.FieldAlexaRoomARN:
		return "AlexaForBusinessMetadata.AlexaForBusinessRoomArn"
	case chime.FieldProductType:
		switch op {
		case "ListSupportedPhoneNumberCountries", "ListPhoneNumbers":
			return "product-type"
		case "BatchUpdatePhoneNumber":
			return "UpdatePhoneNumberRequestItems.ProductType"
		}
		return "ProductType"
	case chime.FieldE164Number:
		return "E164PhoneNumber"
	case chime.FieldE164Numbers:
		return "E164PhoneNumbers"
	case chime.FieldNumberIDs:
		return "PhoneNumberIds"
	case chime.FieldNumberItems:
		return "UpdatePhoneNumberRequestItems"
	case chime.FieldCountry:
		return "country"
	case chime.FieldAreaCode:
		return "area-code"
	case chime.FieldCity:
		return "city"
	case chime.FieldState:
		return "state"
	case chime.FieldTollFreePrefix:
		return "toll-free-prefix"
	case chime.FieldNumberType:
		return "phone-number-type"
	case chime.FieldRoomRetentionDays:
		return "RetentionSettings.RoomRetentionSettings.RetentionDays"
	case chime.FieldConversationRetentionDays:
		return "RetentionSettings.ConversationRetentionSettings.RetentionDays"
	case chime.FieldUserSettings:
		return "UserSettings"
	case chime.FieldDelegateGroups:
		if op == "DisassociateSigninDelegateGroupsFromAccount" {
			return "GroupNames"
		}
		return "SigninDelegateGroups"
	case chime.FieldBusinessCallingBucket:
		return "BusinessCalling.CdrBucket"
	case chime.FieldVoiceConnectorBucket:
		return "VoiceConnector.CdrBucket"
	case chime.FieldBotID:
		return "botId"
	case chime.FieldBotDomain:
		return "Domain"
	case chime.FieldOutboundEventsHTTPSEndpoint:
		return "OutboundEventsHTTPSEndpoint"
	case chime.FieldLambdaFunctionArn:
		return "LambdaFunctionArn"
	case chime.FieldRoomID:
		return "roomId"
	case chime.FieldMemberID:
		switch op {
		case "ListRooms":
			return "member-id"
		case "UpdateRoomMembership", "DeleteRoomMembership":
			return "memberId"
		case "BatchCreateRoomMembership":
			return "MembershipItemList.MemberId"
		}
		return "MemberId"
	case chime.FieldRole:
		if op == "BatchCreateRoomMembership" {
			return "MembershipItemList.Role"
		}
		return "Role"
	case chime.FieldMembershipItems:
		return "MembershipItemList"
	case chime.FieldMeetingID:
		return "meetingId"
	case chime.FieldFromPhoneNumber:
		return "FromPhoneNumber"
	case chime.FieldToPhoneNumber:
		return "ToPhoneNumber"
	case chime.FieldJoinToken:
		return "JoinToken"
	case chime.FieldUserType:
		return "UserType"
	case chime.FieldAccountType:
		return "AccountType"
	case chime.FieldDisplayName:
		return "DisplayName"
	case chime.FieldOffsetSeconds:
		return "OffsetSeconds"
	case chime.FieldRetentionSettings:
		return "RetentionSettings"
	case chime.FieldCallingName:
		return "CallingName"
	case chime.FieldClientRequestToken:
		return "ClientRequestToken"
	case chime.FieldContent:
		return "Content"
	case chime.FieldSenderID:
		return "SenderId"
	case chime.FieldMemberIDs:
		return "MemberIds"
	case chime.FieldMessageID:
		return "messageId"
	case chime.FieldConversationID:
		return "conversationId"
	case chime.FieldWebhookID:
		return "webhookId"
	}
	return "" // every domain field has a case above (TestWireFieldsComplete)
}

// writeFrontError answers a front-end error: its own type name and a lowercase "message".
func (s *Server) writeFrontError(c *call, status int, name, message string) {
	c.w.Header().Set("x-amzn-ErrorType", name)
	c.errCode, c.errMsg = name, message
	s.setDate(c)
	s.writeJSON(c, status, frontErrorBody{Message: message})
}

type errorBody struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

type frontErrorBody struct {
	Message string `json:"message"`
}

// setDate sets the Date header on an error answer explicitly: aws-sdk-go-v2 corrects its clock from it after
// InvalidSignatureException (net/http would add one too, but error answers must not depend on that).
func (s *Server) setDate(c *call) {
	c.w.Header()["Date"] = s.dates.header()
}
