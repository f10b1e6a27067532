package admin

import (
	"testing"

	chime "github.com/chimed/chimed"
)

// A field's domain name begins the sentence, capitalized; a message that begins with a value keeps it as it is.
func TestPlainMessages(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{chime.InvalidField(chime.FieldDisplayName, "is required"), "Display name is required"},
		{chime.InvalidField(chime.FieldCallingName, "must be 2 to 15 letters"), "Calling name must be 2 to 15 letters"},
		{chime.Errorf(chime.ECONFLICT, "%s is a member of the room already", "a1b2c3"), "a1b2c3 is a member of the room already"},
		{chime.Errorf(chime.EINVALID, ""), "The request failed."},
	} {
		if got := plain(c.err); got != c.want {
			t.Errorf("plain(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
