package sqlstore

import (
	"time"

	chime "github.com/chimed/chimed"
)

// testConsoleSession is a console session of the fixture's credential, valid for a day.
func testConsoleSession(f *fixture, token string) *chime.ConsoleSession {
	return &chime.ConsoleSession{Hash: chime.ConsoleTokenHash(token), AccessKeyID: f.cred.AccessKeyID,
		AwsAccountID: f.cred.AwsAccountID, CSRF: "csrf-" + token, CreatedAt: f.now, ExpiresAt: f.now.Add(24 * time.Hour)}
}
