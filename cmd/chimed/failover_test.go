package main_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/pgcluster"
	"github.com/chimed/chimed/internal/testenv"
)

// PostgreSQL failover under load: a primary and a synchronous streaming standby started for the test from
// Debian's binaries, two chimed nodes connected to both with a multi-host URL and
// target_session_attrs=read-write, the primary killed (SIGKILL of its process group) mid-load and the standby
// promoted. Every acknowledged write must be on the promoted standby, both nodes must serve again without a
// restart, and the unavailability window is measured.

// foRequest is one request of the load: when it started and ended, whether it writes, and its error.
type foRequest struct {
	start, end time.Time
	write      bool
	err        error
}

// foUser is the ledger of one user's Alexa for Business room ARN, which one worker updates in sequence: the
// value of the last acknowledged update and the values of updates that failed after it (their outcome is
// unknown: the commit may have reached the standby before the primary died).
type foUser struct {
	account, id string
	acked       string
	unknown     []string
}

// foLedger records every acknowledged write and every request of the load, per node.
type foLedger struct {
	mu       sync.Mutex
	accounts map[string]string // account id → name, of acknowledged CreateAccounts
	emails   map[string]string // email → account id, of acknowledged InviteUsers
	users    []*foUser
	requests [][]foRequest // per node
}

// do runs one request of node, recording its outcome.
func (l *foLedger) do(node int, write bool, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := foRequest{start: time.Now(), write: write}
	r.err = f(ctx)
	r.end = time.Now()
	l.mu.Lock()
	l.requests[node] = append(l.requests[node], r)
	l.mu.Unlock()
	return r.err
}

// foWorker drives one node until stop is closed: it creates an account, then in turn invites a user into it,
// reads the account, and every third round looks the new user up and updates the room ARN of one of its users.
func foWorker(l *foLedger, c *chime.Client, node, w int, stop <-chan struct{}) {
	var account string
	var mine []*foUser
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		if account == "" {
			name := fmt.Sprintf("failover n%d w%d %d", node, w, i)
			l.do(node, true, func(ctx context.Context) error {
				out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: &name})
				if err == nil {
					account = *out.Account.AccountId
					l.mu.Lock()
					l.accounts[account] = name
					l.mu.Unlock()
				}
				return err
			})
			if account == "" {
				time.Sleep(5 * time.Millisecond)
			}
			continue
		}
		email := fmt.Sprintf("n%d-w%d-%d@failover.example.com", node, w, i)
		invited := l.do(node, true, func(ctx context.Context) error {
			_, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: &account, UserEmailList: []string{email}})
			if err == nil {
				l.mu.Lock()
				l.emails[email] = account
				l.mu.Unlock()
			}
			return err
		}) == nil
		l.do(node, false, func(ctx context.Context) error {
			_, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: &account})
			return err
		})
		// A user any worker looked up, most often one the other node updates: what this node has read (and
		// a node may cache) must not outlive a change made through the other node, across the failover too.
		l.mu.Lock()
		var other *foUser
		if len(l.users) > 0 {
			other = l.users[rand.IntN(len(l.users))]
		}
		l.mu.Unlock()
		if other != nil {
			l.do(node, false, func(ctx context.Context) error {
				_, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: &other.account, UserId: &other.id})
				return err
			})
		}
		if i%3 != 0 {
			continue
		}
		if invited {
			l.do(node, false, func(ctx context.Context) error {
				out, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: &account, UserEmail: &email})
				if err == nil && len(out.Users) == 1 {
					u := &foUser{account: account, id: *out.Users[0].UserId}
					mine = append(mine, u)
					l.mu.Lock()
					l.users = append(l.users, u)
					l.mu.Unlock()
				}
				return err
			})
		}
		if len(mine) > 0 {
			u := mine[i%len(mine)]
			arn := fmt.Sprintf("arn:aws:a4b:us-east-1:%s:room/n%d-w%d-%d", mnTenant, node, w, i)
			l.do(node, true, func(ctx context.Context) error {
				_, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: &u.account, UserId: &u.id,
					AlexaForBusinessMetadata: &types.AlexaForBusinessMetadata{AlexaForBusinessRoomArn: &arn}})
				l.mu.Lock()
				if err == nil {
					u.acked, u.unknown = arn, nil
				} else {
					u.unknown = append(u.unknown, arn)
				}
				l.mu.Unlock()
				return err
			})
		}
	}
}

// foWindow is what the requests of one node saw around the failover.
type foWindow struct {
	failedBeforeKill      int
	firstFail, recovered  time.Time // end of the first failed write, end of the first successful write started after it
	lastFail              time.Time // end of the last failed request
	failed, ok            int
	byError               map[string]int
	requestsAfterRecovery int
}

// foMeasure computes the window of one node's requests.
func foMeasure(reqs []foRequest, killedAt time.Time) foWindow {
	w := foWindow{byError: map[string]int{}}
	reqs = slices.Clone(reqs)
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].end.Before(reqs[j].end) })
	for _, r := range reqs {
		if r.err == nil {
			w.ok++
			if r.write && !w.firstFail.IsZero() && w.recovered.IsZero() && r.start.After(w.firstFail) {
				w.recovered = r.end
			}
			if !w.recovered.IsZero() {
				w.requestsAfterRecovery++
			}
			continue
		}
		w.failed++
		w.byError[foErrorKind(r.err)]++
		w.lastFail = r.end
		if r.end.Before(killedAt) {
			w.failedBeforeKill++
		}
		if r.write && w.firstFail.IsZero() {
			w.firstFail = r.end
		}
	}
	return w
}

// foErrorKind names an error of the load: "HTTP status Exception" for an answer, else the transport error.
func foErrorKind(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		status := 0
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		return fmt.Sprintf("%d %s", status, ae.ErrorCode())
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return "transport: " + msg
}

func TestPostgresFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL servers and builds and runs the binary")
	}
	pgcluster.Require(t) // CHIMED_TEST_POSTGRES set, and Debian's binaries (in CI they must be there)
	g := pgcluster.New(t)
	primary := g.InitPrimary("primary", pgcluster.Settings{"synchronous_standby_names": "*",
		"synchronous_commit": "on"})
	// The standby has no synchronous_standby_names: promoted and alone, it must not wait for a standby of its own.
	// With the default wal_retrieve_retry_interval (5 s), a promotion right after the primary died sometimes
	// waits those 5 s (about 1 in 4 runs here); what is measured is the nodes' part.
	standby := g.InitStandby("standby", primary, pgcluster.Settings{"wal_retrieve_retry_interval": "100ms"})
	if err := primary.WaitSync("standby", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// Only now: a commit on the primary waits until the standby has it.
	if err := primary.Exec("postgres", `CREATE DATABASE chimed`); err != nil {
		t.Fatal(err)
	}
	dsn := "postgres://postgres@" + pgcluster.Ports(primary, standby) +
		"/chimed?target_session_attrs=read-write&sslmode=disable"
	bin := testenv.BuildChimed(t)
	nodes := make([]*testenv.Proc, 2)
	for i, name := range []string{"A", "B"} {
		nodes[i] = testenv.LaunchChimed(t, bin, testenv.ProcOptions{Name: name,
			Args: []string{"--auth", "any", "--db", dsn, "--db-max-conns", "6", "--db-conn-timeout", "5s",
				"--log-level", "info"},
			Env: []string{"CHIMED_RATE_LIMIT=0", "CHIMED_MASTER_KEY=one master key shared by every node of the test"}})
	}
	for _, n := range nodes {
		n.WaitListening(t, 60*time.Second)
	}
	clients := []*chime.Client{nodes[0].Client(mnTenant), nodes[1].Client(mnTenant)}

	l := &foLedger{accounts: map[string]string{}, emails: map[string]string{}, requests: make([][]foRequest, 2)}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for node := range 2 {
		for w := range 3 {
			wg.Go(func() { foWorker(l, clients[node], node, w, stop) })
		}
	}
	stopLoad := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopLoad)

	time.Sleep(2 * time.Second)
	l.mu.Lock()
	before := len(l.emails)
	l.mu.Unlock()
	if before == 0 {
		t.Fatal("no invitation acknowledged in 2 s before the kill")
	}
	killedAt := time.Now()
	if err := primary.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Since(killedAt)
	if err := standby.Promote(); err != nil {
		t.Fatal(err)
	}
	promotedAt := time.Now() // pg_ctl promote -w returned and the standby answered pg_is_in_recovery() false
	t.Logf("primary killed (its processes gone %v later), then the standby promoted: writable %v after the kill; "+
		"%d invitations acknowledged before the kill", killed.Round(time.Millisecond),
		promotedAt.Sub(killedAt).Round(time.Millisecond), before)

	// Load goes on until both nodes have written successfully for 2 s after the promotion (at most 30 s).
	deadline := promotedAt.Add(30 * time.Second)
	for {
		l.mu.Lock()
		recovered := 0
		for node := range 2 {
			if w := foMeasure(l.requests[node], killedAt); !w.recovered.IsZero() && time.Since(w.recovered) > 2*time.Second {
				recovered++
			}
		}
		l.mu.Unlock()
		if recovered == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopLoad()

	for node, n := range nodes {
		select {
		case <-n.Done:
			t.Fatalf("node %s exited during the failover:\n%s", n.Name, n.Tail())
		default:
		}
		w := foMeasure(l.requests[node], killedAt)
		for kind, count := range w.byError {
			if kind != "503 ServiceUnavailableException" {
				t.Errorf("node %s answered %d requests during the failover with %s, not 503 ServiceUnavailableException",
					n.Name, count, kind)
			}
		}
		if w.failedBeforeKill > 0 {
			t.Errorf("node %s: %d requests failed before the kill: %v", n.Name, w.failedBeforeKill, w.byError)
		}
		if w.recovered.IsZero() {
			t.Errorf("node %s did not write successfully within 30 s of the promotion (%d failures: %v):\n%s",
				n.Name, w.failed, w.byError, n.Tail())
			continue
		}
		t.Logf("node %s: unavailable %v (first failed write %v after the kill → first successful write %v after "+
			"the standby became writable); last failure %v after that; %d requests ok, %d failed: %v",
			n.Name, w.recovered.Sub(w.firstFail).Round(time.Millisecond),
			w.firstFail.Sub(killedAt).Round(time.Millisecond), w.recovered.Sub(promotedAt).Round(time.Millisecond),
			w.lastFail.Sub(promotedAt).Round(time.Millisecond), w.ok, w.failed, w.byError)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range nodes {
				foLogTail(t, n)
			}
		}
	})
	if t.Failed() {
		return
	}
	foVerify(t, l, nodes, clients)
}

// foLogTail logs the last lines of n's log that are not request lines (what it said about the database).
func foLogTail(t *testing.T, n *testenv.Proc) {
	var lines []string
	for _, line := range n.Logs() {
		if !strings.Contains(line, `"msg":"request"`) {
			lines = append(lines, line)
		}
	}
	t.Logf("node %s log (request lines left out):\n%s", n.Name, strings.Join(lines[max(0, len(lines)-40):], "\n"))
}

// foVerify checks, through both nodes, that every acknowledged write of the ledger is there and that both
// nodes accept writes and report ready. It first checks the checker: a ledger with one account, one invitation
// and one update that were never made must give exactly those three losses.
func foVerify(t *testing.T, l *foLedger, nodes []*testenv.Proc, clients []*chime.Client) {
	ctx := context.Background()
	if len(l.users) == 0 {
		t.Fatal("no user was looked up during the load")
	}
	var someAccount string
	for id := range l.accounts {
		someAccount = id
	}
	fake := &foLedger{
		accounts: map[string]string{"00000000-0000-4000-8000-00000000f0f0": "never created"},
		emails:   map[string]string{"never-invited@failover.example.com": someAccount},
		users:    []*foUser{{account: l.users[0].account, id: l.users[0].id, acked: "arn:never:set"}},
	}
	if lost := foLost(t, fake, clients[0]); len(lost) != 3 {
		t.Fatalf("the checker found %d of 3 writes that were never made: %q", len(lost), lost)
	}
	for node, c := range clients {
		name := nodes[node].Name
		for _, problem := range foLost(t, l, c) {
			t.Errorf("node %s: %s", name, problem)
		}
		// The node writes and is ready again, without a restart.
		if _, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("after failover " + name)}); err != nil {
			t.Errorf("node %s: CreateAccount after the failover: %v", name, err)
		}
		resp, err := http.Get(nodes[node].URL() + "/_chimed/ready")
		if err != nil {
			t.Errorf("node %s ready: %v", name, err)
		} else if resp.Body.Close(); resp.StatusCode != 200 {
			t.Errorf("node %s ready: %d", name, resp.StatusCode)
		}
	}
	updated := 0
	for _, u := range l.users {
		if u.acked != "" {
			updated++
		}
	}
	t.Logf("verified on both nodes: %d accounts, %d invitations, %d users (%d with an acknowledged update)",
		len(l.accounts), len(l.emails), len(l.users), updated)
}

// foLost reads, through c, every acknowledged write of the ledger and returns one line per write that is not
// there: an account missing or renamed, an invitation whose user is missing, a user whose room ARN is neither
// the last acknowledged one nor one of a failed update after it.
func foLost(t *testing.T, l *foLedger, c *chime.Client) []string {
	ctx := context.Background()
	var lost []string
	for id, want := range l.accounts {
		out, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
		if err != nil || *out.Account.Name != want {
			lost = append(lost, fmt.Sprintf("acknowledged account %s (%q) lost: %v", id, want, err))
		}
	}
	perAccount := map[string][]string{}
	for email, account := range l.emails {
		perAccount[account] = append(perAccount[account], email)
	}
	for account, emails := range perAccount {
		seen := map[string]bool{}
		for _, u := range mnUsers(t, c, account) {
			seen[*u.PrimaryEmail] = true
		}
		for _, e := range emails {
			if !seen[e] {
				lost = append(lost, fmt.Sprintf("acknowledged invitation of %s into %s lost", e, account))
			}
		}
	}
	for _, u := range l.users {
		out, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: &u.account, UserId: &u.id})
		if err != nil {
			lost = append(lost, fmt.Sprintf("user %s: %v", u.id, err))
			continue
		}
		got := ""
		if m := out.User.AlexaForBusinessMetadata; m != nil {
			got = aws.ToString(m.AlexaForBusinessRoomArn)
		}
		if got != u.acked && !slices.Contains(u.unknown, got) {
			lost = append(lost, fmt.Sprintf("user %s has room ARN %q; the last acknowledged update set %q "+
				"(failed since: %q)", u.id, got, u.acked, u.unknown))
		}
	}
	return lost
}
