package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// The phone number inventory, orders and user numbers (docs/behavior.md §4.22, §4.26–§4.30; D20–D29).

// phoneNumberOut is the PhoneNumber shape of n.
func phoneNumberOut(n *chime.PhoneNumber) *PhoneNumber {
	c := n.Capabilities()
	w := &PhoneNumber{PhoneNumberId: chime.NumberID(n.E164), E164PhoneNumber: n.E164, Country: n.Country,
		Type: string(n.Type), ProductType: string(n.ProductType), Status: string(n.Status),
		Capabilities: &PhoneNumberCapabilities{InboundCall: c.InboundCall, OutboundCall: c.OutboundCall,
			InboundSMS: c.InboundSMS, OutboundSMS: c.OutboundSMS, InboundMMS: c.InboundMMS, OutboundMMS: c.OutboundMMS},
		Associations: []PhoneNumberAssociation{}, CallingName: n.CallingName,
		CallingNameStatus: string(n.CallingNameStatus), CreatedTimestamp: isoTime(n.CreatedAt),
		UpdatedTimestamp: isoTime(n.UpdatedAt), DeletionTimestamp: isoTime(n.DeletedAt)}
	if n.UserID != "" {
		at := isoTime(n.AssociatedAt)
		w.Associations = append(w.Associations,
			PhoneNumberAssociation{Name: "AccountId", Value: n.AccountID, AssociatedTimestamp: at},
			PhoneNumberAssociation{Name: "UserId", Value: n.UserID, AssociatedTimestamp: at})
	}
	return w
}

// orderOut is the PhoneNumberOrder shape of o.
func orderOut(o *chime.PhoneNumberOrder) *PhoneNumberOrder {
	w := &PhoneNumberOrder{PhoneNumberOrderId: o.ID, ProductType: string(o.ProductType), Status: string(o.Status),
		OrderedPhoneNumbers: make([]OrderedPhoneNumber, len(o.Lines)), CreatedTimestamp: isoTime(o.CreatedAt),
		UpdatedTimestamp: isoTime(o.UpdatedAt)}
	for i, l := range o.Lines {
		w.OrderedPhoneNumbers[i] = OrderedPhoneNumber{E164PhoneNumber: l.E164, Status: string(l.Status)}
	}
	return w
}

func numberErrorsOut(errs []chime.NumberError) []PhoneNumberError {
	out := make([]PhoneNumberError, len(errs))
	for i, e := range errs {
		out[i] = PhoneNumberError{PhoneNumberId: e.NumberID, ErrorCode: e.Code, ErrorMessage: e.Message}
	}
	return out
}

// CreatePhoneNumberOrder orders numbers (D23, D24).
func (h *handlers) CreatePhoneNumberOrder(ctx context.Context, id chime.Identity, in *CreatePhoneNumberOrderRequest) (CreatePhoneNumberOrderResponse, error) {
	o, err := h.svc.CreatePhoneNumberOrder(ctx, id.AwsAccountID, in.ProductType, in.E164PhoneNumbers)
	if err != nil {
		return CreatePhoneNumberOrderResponse{}, err
	}
	return CreatePhoneNumberOrderResponse{PhoneNumberOrder: orderOut(o)}, nil
}

// GetPhoneNumberOrder returns an order as it is now (D23).
func (h *handlers) GetPhoneNumberOrder(ctx context.Context, id chime.Identity, in *GetPhoneNumberOrderRequest) (GetPhoneNumberOrderResponse, error) {
	o, err := h.svc.GetPhoneNumberOrder(ctx, id.AwsAccountID, str(in.PhoneNumberOrderId))
	if err != nil {
		return GetPhoneNumberOrderResponse{}, err
	}
	return GetPhoneNumberOrderResponse{PhoneNumberOrder: orderOut(o)}, nil
}

// ListPhoneNumberOrders returns a page of orders (D41).
func (h *handlers) ListPhoneNumberOrders(ctx context.Context, id chime.Identity, in *ListPhoneNumberOrdersRequest) (ListPhoneNumberOrdersResponse, error) {
	list, next, err := h.svc.ListPhoneNumberOrders(ctx, id.AwsAccountID, pageSize(in.MaxResults), in.NextToken)
	if err != nil {
		return ListPhoneNumberOrdersResponse{}, err
	}
	out := ListPhoneNumberOrdersResponse{PhoneNumberOrders: make([]PhoneNumberOrder, len(list)), NextToken: next}
	for i, o := range list {
		out.PhoneNumberOrders[i] = *orderOut(o)
	}
	return out, nil
}

// GetPhoneNumber returns a number of the inventory (D20).
func (h *handlers) GetPhoneNumber(ctx context.Context, id chime.Identity, in *GetPhoneNumberRequest) (GetPhoneNumberResponse, error) {
	n, err := h.svc.GetPhoneNumber(ctx, id.AwsAccountID, str(in.PhoneNumberId))
	if err != nil {
		return GetPhoneNumberResponse{}, err
	}
	return GetPhoneNumberResponse{PhoneNumber: phoneNumberOut(n)}, nil
}

// ListPhoneNumbers returns a page of the inventory (§4.28).
func (h *handlers) ListPhoneNumbers(ctx context.Context, id chime.Identity, in *ListPhoneNumbersRequest) (ListPhoneNumbersResponse, error) {
	list, next, err := h.svc.ListPhoneNumbers(ctx, id.AwsAccountID, chime.ListNumbersInput{Status: in.Status,
		ProductType: in.ProductType, FilterName: in.FilterName, FilterValue: in.FilterValue,
		MaxResults: pageSize(in.MaxResults), NextToken: in.NextToken})
	if err != nil {
		return ListPhoneNumbersResponse{}, err
	}
	out := ListPhoneNumbersResponse{PhoneNumbers: make([]PhoneNumber, len(list)), NextToken: next}
	for i, n := range list {
		out.PhoneNumbers[i] = *phoneNumberOut(n)
	}
	return out, nil
}

// UpdatePhoneNumber changes a number's product type or calling name (D27).
func (h *handlers) UpdatePhoneNumber(ctx context.Context, id chime.Identity, in *UpdatePhoneNumberRequest) (UpdatePhoneNumberResponse, error) {
	n, err := h.svc.UpdatePhoneNumber(ctx, id.AwsAccountID, str(in.PhoneNumberId),
		chime.NumberUpdate{ProductType: in.ProductType, CallingName: in.CallingName})
	if err != nil {
		return UpdatePhoneNumberResponse{}, err
	}
	return UpdatePhoneNumberResponse{PhoneNumber: phoneNumberOut(n)}, nil
}

// BatchUpdatePhoneNumber applies up to 50 number updates (D46).
func (h *handlers) BatchUpdatePhoneNumber(ctx context.Context, id chime.Identity, in *BatchUpdatePhoneNumberRequest) (BatchUpdatePhoneNumberResponse, error) {
	items := make([]chime.BatchUpdateItem, len(in.UpdatePhoneNumberRequestItems))
	for i, it := range in.UpdatePhoneNumberRequestItems {
		items[i] = chime.BatchUpdateItem{NumberID: str(it.PhoneNumberId),
			NumberUpdate: chime.NumberUpdate{ProductType: it.ProductType, CallingName: it.CallingName}}
	}
	errs, err := h.svc.BatchUpdatePhoneNumber(ctx, id.AwsAccountID, items)
	if err != nil {
		return BatchUpdatePhoneNumberResponse{}, err
	}
	return BatchUpdatePhoneNumberResponse{PhoneNumberErrors: numberErrorsOut(errs)}, nil
}

// DeletePhoneNumber moves a number to the deletion queue (D25, D26).
func (h *handlers) DeletePhoneNumber(ctx context.Context, id chime.Identity, in *DeletePhoneNumberRequest) error {
	return h.svc.DeletePhoneNumber(ctx, id.AwsAccountID, str(in.PhoneNumberId))
}

// BatchDeletePhoneNumber queues up to 50 numbers for deletion (D46).
func (h *handlers) BatchDeletePhoneNumber(ctx context.Context, id chime.Identity, in *BatchDeletePhoneNumberRequest) (BatchDeletePhoneNumberResponse, error) {
	errs, err := h.svc.BatchDeletePhoneNumber(ctx, id.AwsAccountID, in.PhoneNumberIds)
	if err != nil {
		return BatchDeletePhoneNumberResponse{}, err
	}
	return BatchDeletePhoneNumberResponse{PhoneNumberErrors: numberErrorsOut(errs)}, nil
}

// RestorePhoneNumber takes a number out of the deletion queue (D25).
func (h *handlers) RestorePhoneNumber(ctx context.Context, id chime.Identity, in *RestorePhoneNumberRequest) (RestorePhoneNumberResponse, error) {
	n, err := h.svc.RestorePhoneNumber(ctx, id.AwsAccountID, str(in.PhoneNumberId))
	if err != nil {
		return RestorePhoneNumberResponse{}, err
	}
	return RestorePhoneNumberResponse{PhoneNumber: phoneNumberOut(n)}, nil
}

// AssociatePhoneNumberWithUser gives a user a number (D29).
func (h *handlers) AssociatePhoneNumberWithUser(ctx context.Context, id chime.Identity, in *AssociatePhoneNumberWithUserRequest) (AssociatePhoneNumberWithUserResponse, error) {
	err := h.svc.AssociatePhoneNumberWithUser(ctx, id.AwsAccountID, str(in.AccountId), str(in.UserId), in.E164PhoneNumber)
	return AssociatePhoneNumberWithUserResponse{}, err
}

// DisassociatePhoneNumberFromUser frees a user's number (D29).
func (h *handlers) DisassociatePhoneNumberFromUser(ctx context.Context, id chime.Identity, in *DisassociatePhoneNumberFromUserRequest) (DisassociatePhoneNumberFromUserResponse, error) {
	err := h.svc.DisassociatePhoneNumberFromUser(ctx, id.AwsAccountID, str(in.AccountId), str(in.UserId))
	return DisassociatePhoneNumberFromUserResponse{}, err
}
