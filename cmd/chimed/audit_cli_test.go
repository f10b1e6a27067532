package main_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/chimed/chimed/internal/testenv"
)

// TestAuditOfTheCommandLine: `chimed credentials create` and `revoke` are recorded in the key's AWS account's
// audit trail (never the secret), next to the API's mutations, and answered by LookupEvents of the real binary
// (--audit-retention set).
func TestAuditOfTheCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	db := testenv.SQLiteDSN(t)
	t.Setenv("CHIMED_MASTER_KEY", testenv.MasterKey)
	create := func() (id, secret string) {
		t.Helper()
		out, err := exec.Command(bin, "credentials", "create", "--aws-account-id", "111122223333", "--db", db).Output()
		if err != nil {
			t.Fatalf("credentials create: %v", err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "export AWS_ACCESS_KEY_ID="); ok {
				id = v
			} else if v, ok := strings.CutPrefix(line, "export AWS_SECRET_ACCESS_KEY="); ok {
				secret = v
			}
		}
		return id, secret
	}
	old, oldSecret := create()
	id, secret := create()
	if out, err := exec.Command(bin, "credentials", "revoke", "--db", db, old).CombinedOutput(); err != nil {
		t.Fatalf("credentials revoke: %v\n%s", err, out)
	}
	p := testenv.StartChimed(t, bin, "--db", db, "--audit-retention", "720h")
	ctx := context.Background()
	if _, err := p.ClientFor(testenv.Key{ID: id, Secret: secret}).CreateAccount(ctx,
		&chime.CreateAccountInput{Name: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.New(cloudtrail.Options{Region: testenv.Region, BaseEndpoint: aws.String(p.URL()),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), RetryMaxAttempts: 1,
		HTTPClient: testenv.HTTPClient()})
	out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if err != nil {
		t.Fatal(err, p.Tail())
	}
	var names []string
	for _, e := range out.Events {
		names = append(names, aws.ToString(e.EventName))
		raw := aws.ToString(e.CloudTrailEvent)
		if strings.Contains(raw, secret) || strings.Contains(raw, oldSecret) {
			t.Errorf("a secret is recorded: %s", raw)
		}
	}
	want := "CreateAccount chimed:RevokeCredentials chimed:CreateCredentials chimed:CreateCredentials"
	if strings.Join(names, " ") != want {
		t.Fatalf("events %v, want %s", names, want)
	}
	if r := out.Events[1].Resources; len(r) != 1 || aws.ToString(r[0].ResourceName) != old {
		t.Errorf("RevokeCredentials resources %+v", r)
	}
}
