package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Rooms pages: the accounts to choose from (/admin/rooms), an account's rooms (list, create), and a room
// (rename, delete, members: add a user or bot, change a user's role, remove). Rooms belong to Enterprise
// accounts: on a Team account the service refuses them (403), and the page says so.

// roomsPageSize is the number of rooms (and of members) a page shows.
const roomsPageSize = 50

// memberChoices bounds the users and bots offered by the "Add member" form.
const memberChoices = 100

func (c *Console) roomsPages(rt *router) {
	rt.page("GET /admin/rooms", roomsIndexPage)
	rt.page("GET /admin/accounts/{account}/rooms", roomsPage)
	rt.page("GET /admin/accounts/{account}/rooms/{room}", roomPage)
	rt.post("POST /admin/accounts/{account}/rooms", "CreateRoom", createRoom)
	rt.post("POST /admin/accounts/{account}/rooms/{room}/update", "UpdateRoom", renameRoom)
	rt.post("POST /admin/accounts/{account}/rooms/{room}/delete", "DeleteRoom", deleteRoom)
	rt.post("POST /admin/accounts/{account}/rooms/{room}/members", "CreateRoomMembership", addMember)
	rt.post("POST /admin/accounts/{account}/rooms/{room}/members/{member}/role", "UpdateRoomMembership", memberRole)
	rt.post("POST /admin/accounts/{account}/rooms/{room}/members/{member}/remove", "DeleteRoomMembership", removeMember)
}

// pickData is the data of a page that lists the accounts to choose one from (rooms.html, bots.html).
type pickData struct {
	Accounts []*chime.Account
	Paging   Paging
	Problem  string
	Suffix   string // the path under the account: "rooms" or "bots"
}

// pickAccount reads a page of the accounts (?token=) for a page at base whose links go to
// /admin/accounts/{id}/suffix; it answers the error page and reports false on an internal failure.
func pickAccount(q *request, base, suffix string) (pickData, int, bool) {
	qv := q.r.URL.Query()
	in := chime.ListAccountsInput{MaxResults: accountsPageSize}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	d := pickData{Suffix: suffix}
	status := http.StatusOK
	list, next, err := q.c.svc.ListAccounts(q.r.Context(), q.key().AwsAccountID, in)
	if err != nil {
		if s, _ := statusOf(err); s >= 500 {
			q.fail(err)
			return d, 0, false
		}
		status, d.Problem = http.StatusBadRequest, plain(err)
	}
	d.Accounts = list
	d.Paging = pageLinks(base, url.Values{"token": {qv.Get("token")}}, next)
	return d, status, true
}

// roomsIndexPage: GET /admin/rooms?token= — the accounts, each linking to its rooms.
func roomsIndexPage(q *request) {
	if d, status, ok := pickAccount(q, "/admin/rooms", "rooms"); ok {
		q.render(status, "rooms", "Rooms", "Rooms", d)
	}
}

// roomsData is the data of rooms_account.html.
type roomsData struct {
	Account *chime.Account
	Rooms   []*chime.Room
	Paging  Paging
	Problem string // why the rooms cannot be listed (a Team account, a bad token)
}

func roomsPath(account string) string { return accountPath(account) + "/rooms" }

func roomPath(account, room string) string { return roomsPath(account) + "/" + url.PathEscape(room) }

// roomsPage: GET /admin/accounts/{account}/rooms?token= → ListRooms.
func roomsPage(q *request) {
	ctx, aws, id, qv := q.r.Context(), q.key().AwsAccountID, q.r.PathValue("account"), q.r.URL.Query()
	a, err := q.c.svc.GetAccount(ctx, aws, id)
	if err != nil {
		q.fail(err)
		return
	}
	d := roomsData{Account: a}
	in := chime.ListRoomsInput{MaxResults: roomsPageSize}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	status := http.StatusOK
	rooms, next, err := q.c.svc.ListRooms(ctx, aws, id, in)
	if err != nil {
		if s, _ := statusOf(err); s >= 500 {
			q.fail(err)
			return
		}
		d.Problem = plain(err)
		if s, _ := statusOf(err); s != http.StatusForbidden {
			status = s
		}
	}
	d.Rooms = rooms
	d.Paging = pageLinks(roomsPath(id), url.Values{"token": {qv.Get("token")}}, next)
	q.render(status, "rooms_account", "Rooms of "+a.Name, "Rooms", d)
}

// roomData is the data of rooms_room.html.
type roomData struct {
	Account *chime.Account
	Room    *chime.Room
	Members []*chime.RoomMember
	Paging  Paging
	Roles   []chime.Role
	// The "Add member" choices: the account's users and bots that are not members on this page.
	Users []*chime.User
	Bots  []chime.BotWithToken
}

// roomPage: GET /admin/accounts/{account}/rooms/{room}?token= → GetRoom, ListRoomMemberships.
func roomPage(q *request) {
	ctx, aws, aid, rid, qv := q.r.Context(), q.key().AwsAccountID, q.r.PathValue("account"), q.r.PathValue("room"),
		q.r.URL.Query()
	a, err := q.c.svc.GetAccount(ctx, aws, aid)
	if err != nil {
		q.fail(err)
		return
	}
	r, err := q.c.svc.GetRoom(ctx, aws, aid, rid)
	if err != nil {
		q.fail(err)
		return
	}
	in := chime.ListRoomMembershipsInput{MaxResults: roomsPageSize}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	members, next, err := q.c.svc.ListRoomMemberships(ctx, aws, aid, rid, in)
	if err != nil {
		q.fail(err)
		return
	}
	d := roomData{Account: a, Room: r, Members: members, Roles: []chime.Role{chime.RoleMember, chime.RoleAdministrator},
		Paging: pageLinks(roomPath(aid, rid), url.Values{"token": {qv.Get("token")}}, next)}
	if !q.key().ReadOnly {
		in := map[string]bool{}
		for _, m := range members {
			in[m.MemberID] = true
		}
		users, _, err := q.c.svc.ListUsers(ctx, aws, aid, chime.ListUsersInput{MaxResults: memberChoices})
		if err != nil {
			q.fail(err)
			return
		}
		for _, u := range users {
			if !in[u.ID] {
				d.Users = append(d.Users, u)
			}
		}
		bots, _, err := q.c.svc.ListBots(ctx, aws, aid, memberChoices, nil)
		if err != nil {
			q.fail(err)
			return
		}
		for _, b := range bots {
			if !in[b.ID] {
				d.Bots = append(d.Bots, b)
			}
		}
	}
	q.render(http.StatusOK, "rooms_room", r.Name, "Rooms", d)
}

// identity is the signed-in key as the service's caller (rooms record their creator's IAM ARN).
func (q *request) identity() chime.Identity {
	k := q.key()
	return chime.Identity{AccessKeyID: k.ID, AwsAccountID: k.AwsAccountID, ReadOnly: k.ReadOnly, Region: q.c.region}
}

// roomAction runs the change of a room action and redirects to back with notice, or to the room with the error.
func roomAction(q *request, back string, params map[string]any, extra []chime.AuditResource, notice string,
	run func(ctx context.Context, aid, rid string) error) {
	aid, rid := q.r.PathValue("account"), q.r.PathValue("room")
	p := map[string]any{"accountId": aid, "roomId": rid}
	for k, v := range params {
		p[k] = v
	}
	res := append([]chime.AuditResource{resource("Account", aid), resource("Room", rid)}, extra...)
	if err := q.act(p, res, func(ctx context.Context) error { return run(ctx, aid, rid) }); err != nil {
		q.failed(roomPath(aid, rid), err)
		return
	}
	q.done(back, notice)
}

// createRoom: POST /admin/accounts/{account}/rooms (Name) → CreateRoom; on success the room's page.
func createRoom(q *request) {
	aid, name := q.r.PathValue("account"), strings.TrimSpace(q.form.Get("Name"))
	var r *chime.Room
	err := q.act(map[string]any{"accountId": aid, "Name": name}, []chime.AuditResource{resource("Account", aid)},
		func(ctx context.Context) error {
			var err error
			r, _, err = q.c.svc.CreateRoom(ctx, q.identity(), aid, &name, nil)
			if err == nil {
				q.created = append(q.created, resource("Room", r.ID))
			}
			return err
		})
	if err != nil {
		q.failed(roomsPath(aid), err)
		return
	}
	q.done(roomPath(aid, r.ID), "Room "+r.Name+" created.")
}

// renameRoom: POST …/update (Name) → UpdateRoom.
func renameRoom(q *request) {
	name := strings.TrimSpace(q.form.Get("Name"))
	roomAction(q, roomPath(q.r.PathValue("account"), q.r.PathValue("room")), map[string]any{"Name": name}, nil,
		"Room renamed.", func(ctx context.Context, aid, rid string) error {
			_, err := q.c.svc.UpdateRoom(ctx, q.key().AwsAccountID, aid, rid, &name)
			return err
		})
}

// deleteRoom: POST …/delete → DeleteRoom; on success the account's rooms.
func deleteRoom(q *request) {
	roomAction(q, roomsPath(q.r.PathValue("account")), nil, nil, "Room deleted.",
		func(ctx context.Context, aid, rid string) error {
			return q.c.svc.DeleteRoom(ctx, q.key().AwsAccountID, aid, rid)
		})
}

// addMember: POST …/members (MemberId, Role) → CreateRoomMembership.
func addMember(q *request) {
	mid, role := q.form.Get("MemberId"), q.form.Get("Role")
	params := map[string]any{"MemberId": mid}
	var rp *string
	if role != "" {
		rp, params["Role"] = &role, role
	}
	roomAction(q, roomPath(q.r.PathValue("account"), q.r.PathValue("room")), params,
		[]chime.AuditResource{resource("Member", mid)}, "Member added.", func(ctx context.Context, aid, rid string) error {
			_, err := q.c.svc.CreateRoomMembership(ctx, q.identity(), aid, rid, mid, rp)
			return err
		})
}

// memberRole: POST …/members/{member}/role (Role) → UpdateRoomMembership.
func memberRole(q *request) {
	mid, role := q.r.PathValue("member"), q.form.Get("Role")
	roomAction(q, roomPath(q.r.PathValue("account"), q.r.PathValue("room")), map[string]any{"memberId": mid,
		"Role": role}, []chime.AuditResource{resource("Member", mid)}, "Role changed.",
		func(ctx context.Context, aid, rid string) error {
			_, err := q.c.svc.UpdateRoomMembership(ctx, q.key().AwsAccountID, aid, rid, mid, &role)
			return err
		})
}

// removeMember: POST …/members/{member}/remove → DeleteRoomMembership.
func removeMember(q *request) {
	mid := q.r.PathValue("member")
	roomAction(q, roomPath(q.r.PathValue("account"), q.r.PathValue("room")), map[string]any{"memberId": mid},
		[]chime.AuditResource{resource("Member", mid)}, "Member removed.", func(ctx context.Context, aid, rid string) error {
			return q.c.svc.DeleteRoomMembership(ctx, q.identity(), aid, rid, mid)
		})
}
