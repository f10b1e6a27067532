package http

import (
	"context"
	"net/http"
	"strings"

	chime "github.com/chimed/chimed"
)

// Messages, conversations, webhooks and inbound URLs (docs/behavior.md §4.35, §9.6, §9.7; D34, D35, D39): the
// two Redact operations of the model, the /_chimed message endpoints (SigV4), the session's message endpoints
// (Bearer token) and the unauthenticated incoming webhook URLs.

// RedactRoomMessage erases a room message's content for good (D34); 200 {}.
func (h *handlers) RedactRoomMessage(ctx context.Context, id chime.Identity, in *RedactRoomMessageRequest) (RedactRoomMessageResponse, error) {
	err := h.svc.RedactMessage(ctx, id.AwsAccountID, str(in.AccountId), chime.ChatRoom, str(in.RoomId), str(in.MessageId))
	return RedactRoomMessageResponse{}, err
}

// RedactConversationMessage erases a conversation message's content for good (D34); 200 {}.
func (h *handlers) RedactConversationMessage(ctx context.Context, id chime.Identity, in *RedactConversationMessageRequest) (RedactConversationMessageResponse, error) {
	err := h.svc.RedactMessage(ctx, id.AwsAccountID, str(in.AccountId), chime.ChatConversation,
		str(in.ConversationId), str(in.MessageId))
	return RedactConversationMessageResponse{}, err
}

type wireSender struct {
	Type string `json:"Type"`
	ID   string `json:"Id"`
	Name string `json:"Name,omitzero"`
}

type wireMessage struct {
	MessageID         string     `json:"MessageId"`
	Content           *string    `json:"Content,omitempty"`
	Sender            wireSender `json:"Sender"`
	CreatedTimestamp  isoTime    `json:"CreatedTimestamp"`
	Redacted          bool       `json:"Redacted"`
	RedactedTimestamp isoTime    `json:"RedactedTimestamp,omitzero"`
}

func messageOut(m *chime.ChatMessage) wireMessage {
	w := wireMessage{MessageID: m.ID, Sender: wireSender{Type: string(m.SenderType), ID: m.SenderID, Name: m.SenderName},
		CreatedTimestamp: isoTime(m.CreatedAt), Redacted: m.Redacted, RedactedTimestamp: isoTime(m.RedactedAt)}
	if !m.Redacted {
		c := m.Content
		w.Content = &c
	}
	return w
}

type messageOutput struct {
	Message wireMessage `json:"Message"`
}

type messagesOutput struct {
	Messages []wireMessage `json:"Messages"`
}

type wireConversation struct {
	ConversationID   string   `json:"ConversationId"`
	MemberIDs        []string `json:"MemberIds"`
	CreatedTimestamp isoTime  `json:"CreatedTimestamp"`
}

func conversationOut(c *chime.Conversation) wireConversation {
	return wireConversation{ConversationID: c.ID, MemberIDs: c.MemberIDs, CreatedTimestamp: isoTime(c.CreatedAt)}
}

type wireWebhook struct {
	WebhookID string `json:"WebhookId"`
	Name      string `json:"Name"`
	URL       string `json:"Url"`
}

// postRoomMessage: POST /_chimed/accounts/{a}/rooms/{r}/messages {"SenderId","Content"} → 201 {"Message"}.
func (s *Server) postRoomMessage(c *call) { s.postMessage(c, chime.ChatRoom) }

// postConversationMessage: POST /_chimed/accounts/{a}/conversations/{c}/messages → 201 {"Message"}.
func (s *Server) postConversationMessage(c *call) { s.postMessage(c, chime.ChatConversation) }

func (s *Server) postMessage(c *call, kind chime.ChatKind) {
	obj, err := parseBody(c.body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	sender, err := decodeString(obj["SenderId"], "SenderId")
	if err != nil {
		s.writeError(c, err)
		return
	}
	content, err := decodeString(obj["Content"], "Content")
	if err != nil {
		s.writeError(c, err)
		return
	}
	m, err := s.svc.PostMessage(c.ctx, c.id.AwsAccountID, c.label(0), kind, c.label(1), sender, content)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeJSON(c, http.StatusCreated, messageOutput{Message: messageOut(m)})
}

// listRoomMessages: GET /_chimed/accounts/{a}/rooms/{r}/messages → 200 {"Messages"}.
func (s *Server) listRoomMessages(c *call) { s.listMessages(c, chime.ChatRoom) }

// listConversationMessages: GET /_chimed/accounts/{a}/conversations/{c}/messages → 200 {"Messages"}.
func (s *Server) listConversationMessages(c *call) { s.listMessages(c, chime.ChatConversation) }

func (s *Server) listMessages(c *call, kind chime.ChatKind) {
	list, err := s.svc.ListMessages(c.ctx, c.id.AwsAccountID, c.label(0), kind, c.label(1))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := messagesOutput{Messages: make([]wireMessage, len(list))}
	for i, m := range list {
		out.Messages[i] = messageOut(m)
	}
	s.writeJSON(c, http.StatusOK, out)
}

// createConversation: POST /_chimed/accounts/{a}/conversations {"MemberIds":[…]} → 201 (200 for an existing set).
func (s *Server) createConversation(c *call) {
	obj, err := parseBody(c.body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var ids []string
	if raw, ok := obj["MemberIds"]; ok && !isNull(raw) {
		items, err := decodeList(raw, "MemberIds")
		if err != nil {
			s.writeError(c, err)
			return
		}
		for _, it := range items {
			v, err := decodeString(it, "MemberIds")
			if err != nil {
				s.writeError(c, err)
				return
			}
			if v == nil {
				s.writeError(c, nullMember("MemberIds"))
				return
			}
			ids = append(ids, *v)
		}
	}
	conv, created, err := s.svc.CreateConversation(c.ctx, c.id.AwsAccountID, c.label(0), ids)
	if err != nil {
		s.writeError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writeJSON(c, status, struct {
		Conversation wireConversation `json:"Conversation"`
	}{conversationOut(conv)})
}

// listConversations: GET /_chimed/accounts/{a}/conversations → 200 {"Conversations"}.
func (s *Server) listConversations(c *call) {
	list, err := s.svc.ListConversations(c.ctx, c.id.AwsAccountID, c.label(0))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := struct {
		Conversations []wireConversation `json:"Conversations"`
	}{make([]wireConversation, len(list))}
	for i, conv := range list {
		out.Conversations[i] = conversationOut(conv)
	}
	s.writeJSON(c, http.StatusOK, out)
}

// createWebhook: POST /_chimed/accounts/{a}/rooms/{r}/webhooks {"Name"} → 201 {"Webhook"}.
func (s *Server) createWebhook(c *call) {
	name, err := bodyString(c, "Name")
	if err != nil {
		s.writeError(c, err)
		return
	}
	w, err := s.svc.CreateWebhook(c.ctx, c.id, c.label(0), c.label(1), name)
	s.writeWebhook(c, http.StatusCreated, w, err)
}

// regenerateWebhookURL: POST /_chimed/accounts/{a}/rooms/{r}/webhooks/{w}?operation=regenerate-url → 200.
func (s *Server) regenerateWebhookURL(c *call) {
	w, err := s.svc.RegenerateWebhookURL(c.ctx, c.id.AwsAccountID, c.label(0), c.label(1), c.label(2))
	s.writeWebhook(c, http.StatusOK, w, err)
}

func (s *Server) writeWebhook(c *call, status int, w *chime.Webhook, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(c, status, struct {
		Webhook wireWebhook `json:"Webhook"`
	}{wireWebhook{WebhookID: w.ID, Name: w.Name, URL: w.URL}})
}

// sessionRoomMessage: POST /_chimed/session/rooms/{r}/messages, Authorization: Bearer (never the cookie).
func (s *Server) sessionRoomMessage(c *call) { s.sessionMessage(c, chime.ChatRoom) }

// sessionConversationMessage: POST /_chimed/session/conversations/{c}/messages, likewise.
func (s *Server) sessionConversationMessage(c *call) { s.sessionMessage(c, chime.ChatConversation) }

func (s *Server) sessionMessage(c *call, kind chime.ChatKind) {
	tok := ""
	if h := c.r.Header.Get("Authorization"); h != "" {
		if scheme, t, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			tok = strings.TrimSpace(t)
		}
	}
	obj, err := parseBody(c.body)
	var content *string
	if err == nil {
		content, err = decodeString(obj["Content"], "Content")
	}
	if tok == "" {
		err = chime.Errorf(chime.EUNAUTHORIZED, "A session's Bearer token is required")
	} else if err == nil {
		var m *chime.ChatMessage
		if m, err = s.svc.PostSessionMessage(c.ctx, tok, kind, c.label(0), content); err == nil {
			s.writeJSON(c, http.StatusCreated, messageOutput{Message: messageOut(m)})
			return
		}
	} else if _, serr := s.svc.SessionUser(c.ctx, tok); serr != nil {
		err = serr // an unknown session answers 401 whatever the body
	}
	if chime.ErrorCode(err) == chime.EUNAUTHORIZED {
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="chimed"`)
		s.writeFrontError(c, http.StatusUnauthorized, "UnauthorizedClientException", "The session is unknown, expired or revoked")
		return
	}
	s.writeError(c, err)
}

// incoming: POST {public-url}/incomingwebhooks/{id}?token=… {"Content"} → 200 {"MessageId","RoomId"} (§9.7).
// No SigV4: the token is the credential. Errors are {"message"}: 404 unknown, regenerated, deleted or expired;
// 403 wrong token; 429 over --webhook-rate-limit; 400 bad JSON or Content; 413 Content over 4,096 bytes.
func (s *Server) incoming(c *call) {
	ctx := c.ctx
	id, tok := c.label(0), str(c.q("token"))
	if err := s.svc.CheckInboundURL(ctx, id, tok); err != nil {
		s.writeIncomingError(c, err)
		return
	}
	if !s.webhooks.Allow(id) {
		s.obs.throttled.webhook.Inc()
		s.writeFrontError(c, http.StatusTooManyRequests, "ThrottledClientException", "Rate exceeded")
		return
	}
	obj, err := parseBody(c.body)
	var content *string
	if err == nil {
		content, err = decodeString(obj["Content"], "Content")
	}
	if err != nil {
		s.writeFrontError(c, http.StatusBadRequest, "BadRequestException", "The body must be a JSON object with a string Content")
		return
	}
	if content != nil && len(*content) > chime.MaxMessageBytes {
		s.writeFrontError(c, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Content is longer than 4096 bytes")
		return
	}
	m, err := s.svc.PostInbound(ctx, id, tok, content)
	if err != nil {
		s.writeIncomingError(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, struct {
		MessageID string `json:"MessageId"`
		RoomID    string `json:"RoomId"`
	}{m.ID, m.ChatID})
}

// writeIncomingError answers an incoming URL's error as {"message"} with the status of its code.
func (s *Server) writeIncomingError(c *call, err error) {
	switch chime.ErrorCode(err) {
	case chime.ENOTFOUND:
		s.writeFrontError(c, http.StatusNotFound, "NotFoundException", "No such webhook URL")
	case chime.EFORBIDDEN:
		s.writeFrontError(c, http.StatusForbidden, "ForbiddenException", "The token does not match")
	case chime.EINVALID:
		s.writeFrontError(c, http.StatusBadRequest, "BadRequestException", fieldMessage(c.op, err))
	case chime.EUNAVAILABLE:
		s.writeFrontError(c, http.StatusServiceUnavailable, "ServiceUnavailableException", chime.ErrorMessage(err))
	default:
		s.logger.ErrorContext(c.ctx, "internal failure", "request_id", c.reqID, "operation", c.op, "error", err)
		s.writeFrontError(c, http.StatusInternalServerError, "ServiceFailureException", "Internal service failure")
	}
}
