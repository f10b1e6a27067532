package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

// The server clock through the binary (docs/behavior.md D19, §9.5): --allow-clock-control (and its
// environment variable) enables PUT /_chimed/clock, off by default; the offset is kept in the database, so it
// survives a restart (and holds whether or not the restarted server allows changing it).

func clockCall(t *testing.T, p *testenv.Proc, method string, body []byte) (int, int64, time.Time) {
	t.Helper()
	req, err := http.NewRequest(method, p.URL()+"/_chimed/clock", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Sign(t, req, body, testenv.Key{ID: "111122223333", Secret: testenv.AnySecret})
	r := testenv.Send(t, req)
	var out struct {
		Now           time.Time
		OffsetSeconds int64
	}
	if r.Status == 200 {
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("clock body %s: %v", r.Body, err)
		}
	}
	return r.Status, out.OffsetSeconds, out.Now
}

func TestClockFlagAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	ctx := context.Background()
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.DSN(t)
			env := []string{"CHIMED_MASTER_KEY=" + testenv.MasterKey}

			// off by default: GET works, PUT is 403
			p := testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: []string{"--auth", "any", "--db", db}, Env: env})
			p.WaitListening(t, testenv.StartTimeout)
			if st, off, _ := clockCall(t, p, "GET", nil); st != 200 || off != 0 {
				t.Fatalf("GET: %d offset %d", st, off)
			}
			if st, _, _ := clockCall(t, p, "PUT", []byte(`{"OffsetSeconds":60}`)); st != 403 {
				t.Fatalf("PUT without --allow-clock-control: %d, want 403", st)
			}
			p.Kill(t)

			// on through the environment: a day ahead
			p = testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: []string{"--auth", "any", "--db", db},
				Env: append(env, "CHIMED_ALLOW_CLOCK_CONTROL=true")})
			p.WaitListening(t, testenv.StartTimeout)
			if st, off, now := clockCall(t, p, "PUT", []byte(`{"OffsetSeconds":86400}`)); st != 200 || off != 86400 ||
				now.Sub(time.Now()) < 23*time.Hour {
				t.Fatalf("PUT: %d offset %d now %v", st, off, now)
			}
			p.Kill(t)

			// restarted, without the flag: the clock is still a day ahead, and timestamps follow it
			p = testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: []string{"--auth", "any", "--db", db}, Env: env})
			p.WaitListening(t, testenv.StartTimeout)
			if st, off, _ := clockCall(t, p, "GET", nil); st != 200 || off != 86400 {
				t.Fatalf("GET after restart: %d offset %d", st, off)
			}
			c := p.Client("111122223333")
			before := time.Now()
			out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("tomorrow")})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: out.Account.AccountId})
			if err != nil {
				t.Fatal(err)
			}
			if ts := *got.Account.CreatedTimestamp; ts.Before(before.Add(24*time.Hour-time.Second)) ||
				ts.After(time.Now().Add(24*time.Hour)) {
				t.Errorf("CreatedTimestamp = %v, want a day after %v", ts, before)
			}
			// --allow-clock-control on the command line
			p.Kill(t)
			p = testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: []string{"--auth", "any", "--db", db,
				"--allow-clock-control"}, Env: env})
			p.WaitListening(t, testenv.StartTimeout)
			if st, _, _ := clockCall(t, p, "PUT", []byte(`{"OffsetSeconds":3600}`)); st != 400 {
				t.Errorf("PUT back in time: %d, want 400", st)
			}
			if st, off, _ := clockCall(t, p, "PUT", []byte(`{"OffsetSeconds":172800}`)); st != 200 || off != 172800 {
				t.Errorf("PUT with the flag: %d offset %d", st, off)
			}
		})
	}
}
