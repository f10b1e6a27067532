package main_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

// --calling-name-interval / CHIMED_CALLING_NAME_INTERVAL through the binary (docs/behavior.md D28, §9.4): the
// default 168 h refuses a second UpdatePhoneNumberSettings; 0 disables the rule; a negative value is refused.
func TestCallingNameIntervalFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	ctx := context.Background()
	env := []string{"CHIMED_MASTER_KEY=" + testenv.MasterKey}
	update := func(c *chime.Client, name string) error {
		_, err := c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String(name)})
		return err
	}
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				args, env []string
				second    bool // whether a second update at once succeeds
			}{
				{"default", nil, nil, false},
				{"flag 0", []string{"--calling-name-interval", "0"}, nil, true},
				{"env 0", nil, []string{"CHIMED_CALLING_NAME_INTERVAL=0s"}, true},
				{"env 1h", nil, []string{"CHIMED_CALLING_NAME_INTERVAL=1h"}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					p := testenv.LaunchChimed(t, bin, testenv.ProcOptions{
						Args: append([]string{"--auth", "any", "--db", e.DSN(t)}, tc.args...), Env: append(env, tc.env...)})
					p.WaitListening(t, testenv.StartTimeout)
					c := p.Client("111122223333")
					if err := update(c, "Acme"); err != nil {
						t.Fatal(err)
					}
					if err := update(c, "Acme Two"); (err == nil) != tc.second {
						t.Fatalf("second update: %v, want success %v", err, tc.second)
					}
					p.Kill(t)
				})
			}
		})
	}
}
