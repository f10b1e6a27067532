package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/smtp/smtptest"
)

// startSigV4 starts an in-process `chimed serve` (sigv4 mode) on dsn with args and returns it with the key it
// printed on stderr, the stderr it wrote and a function that stops it (else it stops when t ends).
func startSigV4(t *testing.T, dsn string, args ...string) (*Main, testenv.Key, *lockedBuffer, func()) {
	t.Helper()
	stderr := &lockedBuffer{}
	m := NewMain(io.Discard, stderr)
	all := append([]string{"--listen", "127.0.0.1:0", "--db", dsn,
		"--master-key-file", filepath.Join(t.TempDir(), "master.key")}, args...)
	if err := m.ParseFlags(all); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { m.Close() }) }
	t.Cleanup(stop)
	found := exportRE.FindStringSubmatch(stderr.String())
	if found == nil {
		t.Fatalf("no generated key on stderr:\n%s", stderr)
	}
	return m, testenv.Key{ID: found[1], Secret: found[2]}, stderr, stop
}

// signed sends a signed request of the Chime API without a body.
func signed(t *testing.T, method, url string, k testenv.Key) testenv.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Sign(t, req, nil, k)
	return testenv.Send(t, req)
}

// TestMetrics: after known traffic, /metrics (parsed with the Prometheus text parser) counts exactly that
// traffic — requests by operation and code, auth failures, throttling, mail, store transactions, the read cache —
// and none of its label values names a tenant, an account, a user or a key.
func TestMetrics(t *testing.T) {
	testenv.EachEngine(t, func(t *testing.T, dsn string) {
		mail := smtptest.NewServer(t, smtptest.Options{})
		m, key, _, _ := startSigV4(t, dsn, "--rate-limit", "0.001", "--rate-burst", "12",
			"--smtp-url", mail.URL(), "--smtp-tls", "none")
		url := "http://" + m.Addr()
		c := testenv.NewClient(url, key)
		ctx := context.Background()

		var accounts []string
		for _, name := range []string{"m1", "m2", "m3"} { // 3 × CreateAccount 201
			out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, *out.Account.AccountId)
		}
		for range 2 { // 2 × GetAccount 200
			if _, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: &accounts[0]}); err != nil {
				t.Fatal(err)
			}
		}
		inv, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: &accounts[0], UserEmailList: []string{"m@example.org"}})
		if err != nil || inv.Invites[0].EmailStatus != "Sent" {
			t.Fatalf("invite: %v %+v", err, inv)
		}
		users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: &accounts[0]})
		if err != nil || len(users.Users) != 1 {
			t.Fatalf("list users: %v", err)
		}
		userID := *users.Users[0].UserId
		// 1 × a bad signature (the right key, the wrong secret).
		if r := signed(t, "GET", url+"/accounts", testenv.Key{ID: key.ID, Secret: strings.Repeat("x", 40)}); r.Status != 403 ||
			r.Header.Get("x-amzn-ErrorType") != "InvalidSignatureException" {
			t.Fatalf("bad signature: %d %s", r.Status, r.Body)
		}
		// 1 × no route.
		if r := signed(t, "GET", url+"/no/such/route", key); r.Status != 404 {
			t.Fatalf("unknown route: %d", r.Status)
		}
		// The burst is 12 and 7 requests passed the limiter so far (an authentication failure and an unknown
		// route never reach it): the 6th ListAccounts is throttled, and so is the 7th.
		throttled := 0
		for range 7 {
			switch r := signed(t, "GET", url+"/accounts", key); r.Status {
			case 200:
			case 429:
				throttled++
			default:
				t.Fatalf("ListAccounts: %d %s", r.Status, r.Body)
			}
		}
		if throttled != 2 {
			t.Fatalf("%d requests throttled, want 2", throttled)
		}

		got := testenv.Scrape(t, url+"/metrics")
		engine := map[bool]string{true: "postgres", false: "sqlite"}[strings.HasPrefix(dsn, "postgres")]
		for _, w := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"chimed_requests_total", []string{"operation", "CreateAccount", "code", "201"}, 3},
			{"chimed_requests_total", []string{"operation", "GetAccount", "code", "200"}, 2},
			{"chimed_requests_total", []string{"operation", "InviteUsers", "code", "201"}, 1},
			{"chimed_requests_total", []string{"operation", "ListAccounts", "code", "200"}, 5},
			{"chimed_requests_total", []string{"operation", "ListAccounts", "code", "429"}, 2},
			{"chimed_requests_total", []string{"operation", "ListAccounts", "code", "403"}, 1},
			{"chimed_requests_total", []string{"operation", "-", "code", "404"}, 1},
			{"chimed_request_duration_seconds", []string{"operation", "CreateAccount"}, 3},
			{"chimed_auth_failures_total", []string{"reason", "InvalidSignature"}, 1},
			{"chimed_auth_failures_total", []string{"reason", "UnrecognizedClient"}, 0},
			{"chimed_throttled_requests_total", []string{"limiter", "api"}, 2},
			{"chimed_requests_in_flight", nil, 1}, // the scrape itself
			{"chimed_mail_deliveries_total", []string{"outcome", "sent"}, 1},
			{"chimed_mail_deliveries_total", []string{"outcome", "failed"}, 0},
			{"chimed_bot_event_deliveries_total", []string{"outcome", "delivered"}, 0},
			{"chimed_build_info", nil, 1},
		} {
			if v, ok := got.Value(w.name, w.labels...); !ok && w.want != 0 || v != w.want {
				t.Errorf("%s%v = %v (found %v), want %v", w.name, w.labels, v, ok, w.want)
			}
		}
		for _, w := range []struct {
			name   string
			labels []string
		}{
			{"chimed_store_transactions_total", []string{"engine", engine, "kind", "write"}},
			{"chimed_store_transactions_total", []string{"engine", engine, "kind", "read"}},
			{"chimed_connections_open", nil},
			{"go_goroutines", nil},
		} {
			if v, ok := got.Value(w.name, w.labels...); !ok || v < 1 {
				t.Errorf("%s%v = %v (found %v), want ≥ 1", w.name, w.labels, v, ok)
			}
		}
		if _, ok := got.Value("go_sql_open_connections"); !ok {
			t.Errorf("no database/sql pool statistics")
		}
		if _, ok := got.Value("chimed_store_retries_total", "engine", engine, "cause", "serialization"); !ok {
			t.Errorf("no chimed_store_retries_total for %s", engine)
		}
		if v, _ := got.Value("chimed_store_pool_connections", "state", "total"); engine == "postgres" && v < 1 {
			t.Errorf("PostgreSQL pool: %v connections", v)
		}
		// Every signed request after the first looks its credential up in the read cache (on PostgreSQL nodes too:
		// the cache is kept exact there by LISTEN/NOTIFY).
		if v, _ := got.Value("chimed_store_cache_hits_total", "kind", "credential"); v < 10 {
			t.Errorf("%s: credential cache hits %v, want ≥ 10", engine, v)
		}
		if v, _ := got.Value("chimed_store_group_commit_batch_size"); engine == "sqlite" && v < 4 {
			t.Errorf("group commits %v, want ≥ 4", v)
		}

		// No label value names a tenant, an account, a user or a key.
		secrets := append([]string{"111122223333", key.ID, key.Secret, userID, "m@example.org"}, accounts...)
		for _, v := range got.LabelValues() {
			for _, id := range secrets {
				if strings.Contains(v, id) {
					t.Errorf("label value %q names %q", v, id)
				}
			}
		}
	})
}

// TestMetricsListen: --metrics-listen serves /metrics on its own address, and the API listener answers /metrics
// with 404 then.
func TestMetricsListen(t *testing.T) {
	t.Parallel()
	m, err := runMain(t, "--metrics-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if m.MetricsAddr() == "" {
		t.Fatal("no metrics address")
	}
	inviteOne(t, m.Addr(), "x@example.org")
	got := testenv.Scrape(t, "http://"+m.MetricsAddr()+"/metrics")
	if v, _ := got.Value("chimed_requests_total", "operation", "CreateAccount", "code", "201"); v != 1 {
		t.Errorf("CreateAccount 201 = %v, want 1", v)
	}
	if v, _ := got.Value("chimed_mail_deliveries_total", "outcome", "not_sent"); v != 1 {
		t.Errorf("mail not_sent = %v, want 1", v)
	}
	resp, err := http.Get("http://" + m.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the API listener with --metrics-listen: %d, want 404", resp.StatusCode)
	}
	if _, err := runMain(t, "--metrics-listen", "not an address"); err == nil ||
		!strings.Contains(err.Error(), "--metrics-listen") {
		t.Errorf("a bad --metrics-listen: %v", err)
	}
}

// TestHealth: /_chimed/health says what runs (version, store, auth mode, uptime) and answers HEAD, as
// /_chimed/ready does.
func TestHealth(t *testing.T) {
	testenv.EachEngine(t, func(t *testing.T, dsn string) {
		keyFile := filepath.Join(t.TempDir(), "master.key")
		for _, mode := range []string{"sigv4", "any"} {
			stderr := &lockedBuffer{}
			m := NewMain(io.Discard, stderr)
			if err := m.ParseFlags([]string{"--listen", "127.0.0.1:0", "--db", dsn, "--auth", mode,
				"--master-key-file", keyFile}); err != nil {
				t.Fatal(err)
			}
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			resp, err := http.Get("http://" + m.Addr() + "/_chimed/health")
			if err != nil {
				t.Fatal(err)
			}
			var h struct {
				Status, Version, Store, Auth string
				UptimeSeconds                *int64
			}
			err = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			engine := map[bool]string{true: "postgres", false: "sqlite"}[strings.HasPrefix(dsn, "postgres")]
			if err != nil || resp.StatusCode != 200 || h.Status != "ok" || h.Version == "" || h.Store != engine ||
				h.Auth != mode || h.UptimeSeconds == nil || *h.UptimeSeconds < 0 {
				t.Errorf("%s: health %d %+v %v", mode, resp.StatusCode, h, err)
			}
			for _, path := range []string{"/_chimed/health", "/_chimed/ready"} {
				resp, err := http.Head("http://" + m.Addr() + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Type") != "application/json" {
					t.Errorf("HEAD %s: %d %q %q", path, resp.StatusCode, b, resp.Header.Get("Content-Type"))
				}
			}
		}
	})
}

// TestLogFormat: --log-format json and text; the startup lines say what was opened, migrated and listened on;
// the bootstrap credential stays plain `export` lines on stderr, whatever the format.
func TestLogFormat(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			dsn := testenv.SQLiteDSN(t)
			m, _, stderr, stop := startSigV4(t, dsn, "--log-format", format)
			addr := m.Addr()
			stop()
			out := stderr.String()
			if !regexp.MustCompile(`(?m)^export AWS_ACCESS_KEY_ID=AKCH\w+\nexport AWS_SECRET_ACCESS_KEY=\S{40}$`).MatchString(out) {
				t.Errorf("no export lines:\n%s", out)
			}
			var lines []string
			for _, l := range strings.Split(out, "\n") {
				if l != "" && !strings.HasPrefix(l, "export ") && !strings.HasPrefix(l, "chimed: no credentials") {
					lines = append(lines, l)
				}
			}
			want := map[string]string{"store opened": "sqlite", "schema migrated": "schema_version",
				"chimed serving": addr, "chimed stopped": ""}
			for _, l := range lines {
				var msg string
				if format == "json" {
					var rec map[string]any
					if err := json.Unmarshal([]byte(l), &rec); err != nil {
						t.Fatalf("not a JSON log line: %q", l)
					}
					msg, _ = rec["msg"].(string)
				} else {
					mm := regexp.MustCompile(`^time=\S+ level=[A-Z]+ msg=("[^"]*"|\S+)`).FindStringSubmatch(l)
					if mm == nil {
						t.Fatalf("not a text log line: %q", l)
					}
					msg = strings.Trim(mm[1], `"`)
				}
				if w, ok := want[msg]; ok {
					if !strings.Contains(l, w) {
						t.Errorf("%q does not say %q", l, w)
					}
					delete(want, msg)
				}
			}
			if len(want) > 0 {
				t.Errorf("missing log lines %v in:\n%s", want, out)
			}
		})
	}
	if _, err := runMain(t, "--log-format", "xml"); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("--log-format xml: %v", err)
	}
}

// TestVersionAndHelp: `chimed version` prints the build's version; --help exits 0 for chimed and each command,
// an unknown flag exits 2.
func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	out, err := runCLI("version")
	if err != nil || !regexp.MustCompile(`^chimed \S+\nrevision: \S+.*\ntime: \S+\ngo: go\S+\n$`).MatchString(out) {
		t.Errorf("version: %v %q", err, out)
	}
	bin := testenv.BuildChimed(t)
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--help"}, 0, "serve"},
		{[]string{"help"}, 0, "serve"},
		{[]string{"serve", "--help"}, 0, "-metrics-listen"},
		{[]string{"serve", "-h"}, 0, "-log-format"},
		{[]string{"check", "--help"}, 0, "-db"},
		{[]string{"serve", "--no-such-flag"}, 2, "-listen"},
		{[]string{"version"}, 0, "revision:"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := execCommand(ctx, bin, c.args...)
		b, err := cmd.CombinedOutput()
		cancel()
		code := cmd.ProcessState.ExitCode()
		if code != c.code || !strings.Contains(string(b), c.out) {
			t.Errorf("chimed %v: exit %d (%v), want %d; output:\n%s", c.args, code, err, c.code, b)
		}
	}
}

func execCommand(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "CHIMED_DB=sqlite::memory:")
	return cmd
}
