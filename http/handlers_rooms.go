package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// Rooms and memberships (docs/behavior.md §4.32–§4.34; D31–D33, D41).

// roomOut is the Room shape of r.
func roomOut(r *chime.Room) *Room {
	return &Room{RoomId: r.ID, Name: r.Name, AccountId: r.AccountID, CreatedBy: r.CreatedBy,
		CreatedTimestamp: isoTime(r.CreatedAt), UpdatedTimestamp: isoTime(r.UpdatedAt)}
}

// membershipOut is the RoomMembership shape of m (§3.8): Email and FullName omitted while unset.
func membershipOut(m *chime.RoomMember) *RoomMembership {
	return &RoomMembership{RoomId: m.RoomID, Role: string(m.Role), InvitedBy: m.InvitedBy,
		UpdatedTimestamp: isoTime(m.UpdatedAt), Member: &Member{MemberId: m.MemberID, MemberType: string(m.Type),
			Email: m.Email, FullName: m.FullName, AccountId: m.AccountID}}
}

// CreateRoom creates a room, idempotent by ClientRequestToken (D32); 201.
func (h *handlers) CreateRoom(ctx context.Context, id chime.Identity, in *CreateRoomRequest) (CreateRoomResponse, error) {
	r, _, err := h.svc.CreateRoom(ctx, id, str(in.AccountId), in.Name, in.ClientRequestToken)
	if err != nil {
		return CreateRoomResponse{}, err
	}
	return CreateRoomResponse{Room: roomOut(r)}, nil
}

// GetRoom returns a room (§4.32).
func (h *handlers) GetRoom(ctx context.Context, id chime.Identity, in *GetRoomRequest) (GetRoomResponse, error) {
	r, err := h.svc.GetRoom(ctx, id.AwsAccountID, str(in.AccountId), str(in.RoomId))
	if err != nil {
		return GetRoomResponse{}, err
	}
	return GetRoomResponse{Room: roomOut(r)}, nil
}

// ListRooms returns a page of an account's rooms, optionally those of one member (D41).
func (h *handlers) ListRooms(ctx context.Context, id chime.Identity, in *ListRoomsRequest) (ListRoomsResponse, error) {
	list, next, err := h.svc.ListRooms(ctx, id.AwsAccountID, str(in.AccountId), chime.ListRoomsInput{
		MemberID: in.MemberId, MaxResults: pageSize(in.MaxResults), NextToken: in.NextToken})
	if err != nil {
		return ListRoomsResponse{}, err
	}
	out := ListRoomsResponse{Rooms: make([]Room, len(list)), NextToken: next}
	for i, r := range list {
		out.Rooms[i] = *roomOut(r)
	}
	return out, nil
}

// UpdateRoom renames a room; without a Name it answers the room unchanged (§4.32).
func (h *handlers) UpdateRoom(ctx context.Context, id chime.Identity, in *UpdateRoomRequest) (UpdateRoomResponse, error) {
	r, err := h.svc.UpdateRoom(ctx, id.AwsAccountID, str(in.AccountId), str(in.RoomId), in.Name)
	if err != nil {
		return UpdateRoomResponse{}, err
	}
	return UpdateRoomResponse{Room: roomOut(r)}, nil
}

// DeleteRoom deletes a room with its memberships (§4.32); 204.
func (h *handlers) DeleteRoom(ctx context.Context, id chime.Identity, in *DeleteRoomRequest) error {
	return h.svc.DeleteRoom(ctx, id.AwsAccountID, str(in.AccountId), str(in.RoomId))
}

// CreateRoomMembership adds a user or a bot to a room (D33); 201.
func (h *handlers) CreateRoomMembership(ctx context.Context, id chime.Identity, in *CreateRoomMembershipRequest) (CreateRoomMembershipResponse, error) {
	m, err := h.svc.CreateRoomMembership(ctx, id, str(in.AccountId), str(in.RoomId), str(in.MemberId), in.Role)
	if err != nil {
		return CreateRoomMembershipResponse{}, err
	}
	return CreateRoomMembershipResponse{RoomMembership: membershipOut(m)}, nil
}

// BatchCreateRoomMembership adds up to 50 members, reporting failed items (§4.33, §5.5); 201.
func (h *handlers) BatchCreateRoomMembership(ctx context.Context, id chime.Identity, in *BatchCreateRoomMembershipRequest) (BatchCreateRoomMembershipResponse, error) {
	items := make([]chime.MembershipItem, len(in.MembershipItemList))
	for i, it := range in.MembershipItemList {
		items[i] = chime.MembershipItem{MemberID: it.MemberId, Role: it.Role}
	}
	errs, err := h.svc.BatchCreateRoomMembership(ctx, id, str(in.AccountId), str(in.RoomId), items)
	if err != nil {
		return BatchCreateRoomMembershipResponse{}, err
	}
	out := BatchCreateRoomMembershipResponse{Errors: make([]MemberError, len(errs))}
	for i, e := range errs {
		out.Errors[i] = MemberError{MemberId: e.MemberID, ErrorCode: e.Code, ErrorMessage: e.Message}
	}
	return out, nil
}

// ListRoomMemberships returns a page of a room's members: users, bots and webhooks (§4.34, D41).
func (h *handlers) ListRoomMemberships(ctx context.Context, id chime.Identity, in *ListRoomMembershipsRequest) (ListRoomMembershipsResponse, error) {
	list, next, err := h.svc.ListRoomMemberships(ctx, id.AwsAccountID, str(in.AccountId), str(in.RoomId),
		chime.ListRoomMembershipsInput{MaxResults: pageSize(in.MaxResults), NextToken: in.NextToken})
	if err != nil {
		return ListRoomMembershipsResponse{}, err
	}
	out := ListRoomMembershipsResponse{RoomMemberships: make([]RoomMembership, len(list)), NextToken: next}
	for i, m := range list {
		out.RoomMemberships[i] = *membershipOut(m)
	}
	return out, nil
}

// UpdateRoomMembership changes a user member's role; without a Role it answers the membership unchanged (§4.34).
func (h *handlers) UpdateRoomMembership(ctx context.Context, id chime.Identity, in *UpdateRoomMembershipRequest) (UpdateRoomMembershipResponse, error) {
	m, err := h.svc.UpdateRoomMembership(ctx, id.AwsAccountID, str(in.AccountId), str(in.RoomId), str(in.MemberId), in.Role)
	if err != nil {
		return UpdateRoomMembershipResponse{}, err
	}
	return UpdateRoomMembershipResponse{RoomMembership: membershipOut(m)}, nil
}

// DeleteRoomMembership removes a member from a room; a bot gets a Remove event (§4.34); 204.
func (h *handlers) DeleteRoomMembership(ctx context.Context, id chime.Identity, in *DeleteRoomMembershipRequest) error {
	return h.svc.DeleteRoomMembership(ctx, id, str(in.AccountId), str(in.RoomId), str(in.MemberId))
}
