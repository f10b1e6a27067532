package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// Benchmarks of the operations added after the user operations (issue 17): ListPhoneNumbers over a full
// inventory, ListRooms of an account with many rooms, and bot-event delivery (botevents.go). Their data is
// seeded through the API, once per deployment, before the workload's warm-up.

// phoneInventory is the number of phone numbers the "phones" workload orders: the default inventory limit.
const phoneInventory = 1000

// apiCall sends one signed request and decodes a JSON answer into out (nil: ignored); a status other than want
// is an error naming the call.
func apiCall(ctx context.Context, c *client, want int, method, path string, body any, out any) error {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return err
		}
	}
	status, resp, err := c.do(ctx, method, path, b)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %.300s", method, path, status, resp)
	}
	if out != nil {
		return json.Unmarshal(resp, out)
	}
	return nil
}

// seedPhones orders phoneInventory US numbers (+1206555 0100…) in orders of 100; with the default order delay of
// 0 they are Unassigned at once.
func (w *workloads) seedPhones(ctx context.Context) error {
	for lo := 0; lo < phoneInventory; lo += 100 {
		nums := make([]string, 0, 100)
		for i := lo; i < lo+100; i++ {
			nums = append(nums, fmt.Sprintf("+1206555%04d", 100+i))
		}
		var out struct {
			PhoneNumberOrder struct{ PhoneNumberOrderId string }
		}
		if err := apiCall(ctx, w.c, 201, "POST", "/phone-number-orders",
			map[string]any{"ProductType": "BusinessCalling", "E164PhoneNumbers": nums}, &out); err != nil {
			return err
		}
	}
	var list struct{ PhoneNumbers []json.RawMessage }
	if err := apiCall(ctx, w.c, 200, "GET", "/phone-numbers?max-results=99", nil, &list); err != nil {
		return err
	}
	if len(list.PhoneNumbers) != 99 {
		return fmt.Errorf("ListPhoneNumbers after seeding: %d numbers on the first page, want 99", len(list.PhoneNumbers))
	}
	return nil
}

// enterpriseAccount creates (once) an EnterpriseLWA account with one invited user, for rooms and bots: invited
// while the account is Team (InviteUsers is Team-only), then the type is switched (PUT /_chimed/accounts/{a}/type).
func (w *workloads) enterpriseAccount(ctx context.Context) error {
	if w.ent != "" {
		return nil
	}
	var acc struct{ Account struct{ AccountId string } }
	if err := apiCall(ctx, w.c, 201, "POST", "/accounts", map[string]string{"Name": "bench-enterprise"}, &acc); err != nil {
		return err
	}
	a := acc.Account.AccountId
	if err := apiCall(ctx, w.c, 201, "POST", "/accounts/"+a+"/users?operation=add",
		map[string]any{"UserEmailList": []string{"poster@bench.example.com"}}, nil); err != nil {
		return err
	}
	ids, _, err := listAll(ctx, w.c, a)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return fmt.Errorf("enterprise account: %d users, want 1", len(ids))
	}
	if err := apiCall(ctx, w.c, 200, "PUT", "/_chimed/accounts/"+a+"/type",
		map[string]string{"AccountType": "EnterpriseLWA"}, nil); err != nil {
		return err
	}
	w.ent, w.entUser = a, ids[0]
	return nil
}

// createRoom creates a room in the enterprise account and returns its id.
func (w *workloads) createRoom(ctx context.Context, name string) (string, error) {
	var out struct{ Room struct{ RoomId string } }
	err := apiCall(ctx, w.c, 201, "POST", "/accounts/"+w.ent+"/rooms", map[string]string{"Name": name}, &out)
	return out.Room.RoomId, err
}

// seedRooms creates n rooms in the enterprise account.
func (w *workloads) seedRooms(ctx context.Context, n int) error {
	if err := w.enterpriseAccount(ctx); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if _, err := w.createRoom(ctx, fmt.Sprintf("bench room %d", i)); err != nil {
			return err
		}
	}
	return nil
}

// prepare seeds what workload name needs beyond the users, once.
func (w *workloads) prepare(ctx context.Context, name string) error {
	if w.prepared == nil {
		w.prepared = map[string]bool{}
	}
	if w.prepared[name] {
		return nil
	}
	var err error
	switch name {
	case "phones":
		err = w.seedPhones(ctx)
	case "rooms":
		err = w.seedRooms(ctx, w.rooms)
	}
	if err == nil {
		w.prepared[name] = true
	}
	return err
}

// newOps returns the request generators of the workloads of this file (false: not one of them).
func (w *workloads) newOps(name string) (op, bool) {
	switch name {
	case "phones":
		return op{"ListPhoneNumbers", func(*rand.Rand) (string, string, []byte) {
			return "GET", "/phone-numbers?max-results=99", nil
		}}, true
	case "rooms":
		return op{"ListRooms", func(*rand.Rand) (string, string, []byte) {
			return "GET", "/accounts/" + w.ent + "/rooms?max-results=99", nil
		}}, true
	}
	return op{}, false
}
