package chime_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

// Bots and events configurations (docs/behavior.md §4.36, §4.37, D31, D36, D37, D45, D48), against the store.

func TestSignBotRequestVector(t *testing.T) {
	// §10.3's test vector.
	got := chime.SignBotRequest("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "2019-04-04T21:30:43.181Z",
		[]byte(`{"Challenge":"00000000000000000000","EventType":"HTTPSEndpointVerification"}`))
	if want := "3M7yWqfxX80FoM9UCiEbpQmbJtdd1ihmOkYjDZkc3og="; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
}

// botAccount returns a fresh AWS account with an EnterpriseLWA account.
func botAccount(t *testing.T, e *env) (aws string, a *chime.Account) {
	t.Helper()
	aws = newTenant()
	return aws, MustAccount(t, e, aws, "bots", chime.AccountEnterpriseLWA)
}

func TestBots(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("create, get, token, email, timestamps", func(t *testing.T) {
		aws, a := botAccount(t, e)
		b, token, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr("my Bot!"), ptr("Example.COM"))
		must(t, err)
		if b.DisplayName != "my Bot! (Bot)" || b.Email != "myBot-chimebot@example.com" || b.Disabled {
			t.Fatalf("bot = %+v", b)
		}
		raw, err := base64.StdEncoding.DecodeString(token)
		if len(token) != 40 || err != nil || len(raw) != 30 {
			t.Fatalf("token %q: want 40 chars of base64 of 30 bytes", token)
		}
		if strings.Contains(string(b.SealedToken), token) {
			t.Fatal("the token is stored in clear")
		}
		got, tok2, err := e.Svc.GetBot(ctx, aws, a.ID, b.ID)
		must(t, err)
		if tok2 != token || got.Email != b.Email || !got.CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("GetBot = %+v %q", got, tok2)
		}
		_, _, err = e.Svc.CreateBot(ctx, aws, a.ID, ptr("MYBOT"), ptr("example.com")) // MYBOT-chimebot@… is taken
		wantErr(t, err, chime.EINVALID, "")
	})

	t.Run("email uniqueness is case-insensitive", func(t *testing.T) {
		aws, a := botAccount(t, e)
		_, _, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr("Echo"), ptr("example.com"))
		must(t, err)
		_, _, err = e.Svc.CreateBot(ctx, aws, a.ID, ptr("echo"), ptr("EXAMPLE.com"))
		wantErr(t, err, chime.EINVALID, "")
		_, _, err = e.Svc.CreateBot(ctx, aws, a.ID, ptr("echo"), ptr("example.org"))
		must(t, err)
		// another account may use the same email
		b := MustAccount(t, e, aws, "other", chime.AccountEnterpriseDirectory)
		_, _, err = e.Svc.CreateBot(ctx, aws, b.ID, ptr("Echo"), ptr("example.com"))
		must(t, err)
		// nothing left of the name: "bot"
		bot, _, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr("ü ü"), ptr("example.com"))
		must(t, err)
		if bot.Email != "bot-chimebot@example.com" {
			t.Fatalf("email = %s", bot.Email)
		}
	})

	t.Run("inputs", func(t *testing.T) {
		aws, a := botAccount(t, e)
		for _, c := range []struct {
			name, domain *string
			field        chime.Field
		}{
			{nil, ptr("example.com"), chime.FieldDisplayName},
			{ptr(""), ptr("example.com"), chime.FieldDisplayName},
			{ptr("   "), ptr("example.com"), chime.FieldDisplayName},
			{ptr(strings.Repeat("é", 56)), ptr("example.com"), chime.FieldDisplayName},
			{ptr("ok"), nil, chime.FieldBotDomain},
			{ptr("ok"), ptr("localhost"), chime.FieldBotDomain},
			{ptr("ok"), ptr("a..com"), chime.FieldBotDomain},
			{ptr("ok"), ptr("exa_mple.com"), chime.FieldBotDomain},
			{ptr("ok"), ptr(strings.Repeat("a", 64) + ".com"), chime.FieldBotDomain},
			{ptr("ok"), ptr(strings.Repeat("abcdefghi.", 26) + "com"), chime.FieldBotDomain},
		} {
			_, _, err := e.Svc.CreateBot(ctx, aws, a.ID, c.name, c.domain)
			wantErr(t, err, chime.EINVALID, c.field)
		}
		_, _, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr(strings.Repeat("é", 55)), ptr("x-1.example.com"))
		must(t, err)
	})

	t.Run("Team 403, unknown 404, foreign 404, limit", func(t *testing.T) {
		aws := newTenant()
		team := MustAccount(t, e, aws, "team", chime.AccountTeam)
		_, _, err := e.Svc.CreateBot(ctx, aws, team.ID, ptr("b"), ptr("example.com"))
		wantErr(t, err, chime.EFORBIDDEN, "")
		_, _, err = e.Svc.ListBots(ctx, aws, team.ID, 0, nil)
		wantErr(t, err, chime.EFORBIDDEN, "")
		_, _, err = e.Svc.CreateBot(ctx, aws, "no-such-account", ptr("b"), ptr("example.com"))
		wantErr(t, err, chime.ENOTFOUND, "")
		_, a := botAccount(t, e)
		_, _, err = e.Svc.CreateBot(ctx, aws, a.ID, ptr("b"), ptr("example.com")) // a belongs to another AWS account
		wantErr(t, err, chime.ENOTFOUND, "")

		aws2, ent := botAccount(t, e)
		for i := range chime.MaxBots {
			_, _, err := e.Svc.CreateBot(ctx, aws2, ent.ID, ptr(fmt.Sprintf("b%d", i)), ptr("example.com"))
			must(t, err)
		}
		_, _, err = e.Svc.CreateBot(ctx, aws2, ent.ID, ptr("eleven"), ptr("example.com"))
		wantErr(t, err, chime.ELIMIT, "")
		// the email rule (step 7) comes before the limit (step 8)
		_, _, err = e.Svc.CreateBot(ctx, aws2, ent.ID, ptr("b0"), ptr("example.com"))
		wantErr(t, err, chime.EINVALID, "")
		_, _, err = e.Svc.GetBot(ctx, aws2, ent.ID, "no-such-bot")
		wantErr(t, err, chime.ENOTFOUND, "")
	})

	t.Run("update and regenerate keep UpdatedTimestamp", func(t *testing.T) {
		aws, a := botAccount(t, e)
		b, token, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr("upd"), ptr("example.com"))
		must(t, err)
		e.Clock.Advance(3_600_000_000_000)
		u, tok, err := e.Svc.UpdateBot(ctx, aws, a.ID, b.ID, ptr(true))
		must(t, err)
		if !u.Disabled || tok != token || !u.CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("UpdateBot = %+v", u)
		}
		u, _, err = e.Svc.UpdateBot(ctx, aws, a.ID, b.ID, nil) // absent: unchanged
		must(t, err)
		if !u.Disabled {
			t.Fatal("Disabled absent changed the bot")
		}
		r, newTok, err := e.Svc.RegenerateSecurityToken(ctx, aws, a.ID, b.ID)
		must(t, err)
		if newTok == token || len(newTok) != 40 || !r.Disabled {
			t.Fatalf("regenerated %q (old %q), bot %+v", newTok, token, r)
		}
		_, got, err := e.Svc.GetBot(ctx, aws, a.ID, b.ID)
		must(t, err)
		if got != newTok {
			t.Fatal("GetBot does not return the new token")
		}
	})

	t.Run("list pages in creation order", func(t *testing.T) {
		aws, a := botAccount(t, e)
		var ids []string
		for i := range 5 {
			b, _, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr(fmt.Sprintf("p%d", i)), ptr("example.com"))
			must(t, err)
			ids = append(ids, b.ID)
			if i%2 == 0 {
				e.Clock.Advance(1_000_000)
			}
		}
		var got []string
		var next *string
		for pages := 0; ; pages++ {
			list, tok, err := e.Svc.ListBots(ctx, aws, a.ID, 2, next)
			must(t, err)
			for _, b := range list {
				got = append(got, b.ID)
				if b.Token == "" {
					t.Fatal("a listed bot has no token")
				}
			}
			if tok == "" {
				break
			}
			next = &tok
		}
		if len(got) != 5 {
			t.Fatalf("listed %v", got)
		}
		_, _, err := e.Svc.ListBots(ctx, newTenant(), a.ID, 2, next)
		wantErr(t, err, chime.EINVALID, chime.FieldNextToken) // foreign token
	})
}

func TestEventsConfiguration(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // no BotSender: no challenge is sent
	aws, a := botAccount(t, e)
	b, _, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr("cfg"), ptr("example.com"))
	must(t, err)

	_, err = e.Svc.GetEventsConfiguration(ctx, aws, a.ID, b.ID)
	wantErr(t, err, chime.ENOTFOUND, "")
	must(t, e.Svc.DeleteEventsConfiguration(ctx, aws, a.ID, b.ID)) // none: 204
	for _, c := range []struct{ ep, arn *string }{
		{nil, nil},
		{ptr("https://bot.example.com/"), ptr("arn:aws:lambda:us-east-1:123456789012:function:f")},
		{ptr("ftp://bot.example.com/"), nil},
		{ptr("/relative"), nil},
		{ptr("https://"), nil},
		{nil, ptr("arn:aws:lambda:us-east-1:1234:function:f")},
		{nil, ptr("arn:aws:s3:::bucket")},
	} {
		_, err := e.Svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, c.ep, c.arn)
		wantErr(t, err, chime.EINVALID, "")
	}
	cfg, err := e.Svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, ptr("http://127.0.0.1:9/x"), nil)
	must(t, err)
	if cfg.Endpoint != "http://127.0.0.1:9/x" || cfg.LambdaARN != "" {
		t.Fatalf("cfg = %+v", cfg)
	}
	arn := "arn:aws:lambda:us-east-1:123456789012:function:my-fn:PROD"
	_, err = e.Svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, nil, &arn) // replaces
	must(t, err)
	got, err := e.Svc.GetEventsConfiguration(ctx, aws, a.ID, b.ID)
	must(t, err)
	if got.LambdaARN != arn || got.Endpoint != "" {
		t.Fatalf("Get = %+v", got)
	}
	// unknown bot / account on Delete → 400 (D47); Get/Put → 404
	wantErr(t, e.Svc.DeleteEventsConfiguration(ctx, aws, a.ID, "nope"), chime.EINVALID, "")
	wantErr(t, e.Svc.DeleteEventsConfiguration(ctx, aws, "nope", b.ID), chime.EINVALID, "")
	_, err = e.Svc.PutEventsConfiguration(ctx, aws, a.ID, "nope", nil, &arn)
	wantErr(t, err, chime.ENOTFOUND, "")
	team := MustAccount(t, e, aws, "team", chime.AccountTeam)
	wantErr(t, e.Svc.DeleteEventsConfiguration(ctx, aws, team.ID, b.ID), chime.EFORBIDDEN, "")
	must(t, e.Svc.DeleteEventsConfiguration(ctx, aws, a.ID, b.ID))
	_, err = e.Svc.GetEventsConfiguration(ctx, aws, a.ID, b.ID)
	wantErr(t, err, chime.ENOTFOUND, "")
}

func TestBotsGoWithAccountAndReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws, a := botAccount(t, e)
	b, _, err := e.Svc.CreateBot(ctx, aws, a.ID, ptr("gone"), ptr("example.com"))
	must(t, err)
	_, err = e.Svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, ptr("https://bot.example.com/"), nil)
	must(t, err)
	must(t, e.Svc.QueueBotEventForTest(ctx, aws, a.ID, b.ID, chime.BotEventInput{Type: chime.BotEventRemove,
		SenderID: "arn", SenderIDType: "IamArn", RoomID: "r"}))
	keep := MustAccount(t, e, aws, "keep", chime.AccountEnterpriseLWA)
	kb, _, err := e.Svc.CreateBot(ctx, aws, keep.ID, ptr("kept"), ptr("example.com"))
	must(t, err)
	_, err = e.Svc.PutEventsConfiguration(ctx, aws, keep.ID, kb.ID, ptr("https://bot.example.com/"), nil)
	must(t, err)
	must(t, e.Svc.QueueBotEventForTest(ctx, aws, keep.ID, kb.ID, chime.BotEventInput{Type: chime.BotEventRemove,
		SenderID: "arn", SenderIDType: "IamArn", RoomID: "r"}))

	must(t, e.Svc.DeleteAccount(ctx, aws, a.ID)) // D45
	events, err := e.Svc.BotEvents(ctx, aws, "")
	must(t, err)
	if len(events) != 1 || events[0].BotID != kb.ID {
		t.Fatalf("events after DeleteAccount: %d", len(events))
	}
	_, _, err = e.Svc.GetBot(ctx, aws, keep.ID, kb.ID)
	must(t, err)

	must(t, e.Svc.ResetTenant(ctx, aws)) // D48
	events, err = e.Svc.BotEvents(ctx, aws, "")
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("events after reset: %d", len(events))
	}
}
