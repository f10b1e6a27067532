package sigv4

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitSignedMemo checks the Verifier's memo of the last SignedHeaders list: a repeated list gives the same
// names without splitting again, another list replaces it, and a list that fails (or is too long to keep) is
// split every time and leaves the memo as it was.
func TestSplitSignedMemo(t *testing.T) {
	v := New(Options{})
	first, err := v.splitSigned("host;x-amz-date")
	if err != nil || !slices.Equal(first, []string{"host", "x-amz-date"}) {
		t.Fatalf("first = %q, %v", first, err)
	}
	again, _ := v.splitSigned("host;x-amz-date")
	if &again[0] != &first[0] {
		t.Error("the same list was split again instead of coming from the memo")
	}
	upper, err := v.splitSigned("Host;X-Amz-Date;Content-Type")
	if err != nil || !slices.Equal(upper, []string{"host", "x-amz-date", "content-type"}) {
		t.Fatalf("upper = %q, %v", upper, err)
	}
	if m := v.signed.Load(); m.list != "Host;X-Amz-Date;Content-Type" {
		t.Errorf("memo holds %q after another list", m.list)
	}
	if _, err := v.splitSigned("host;;x-amz-date"); err == nil {
		t.Error("an empty name was accepted")
	}
	if m := v.signed.Load(); m.list != "Host;X-Amz-Date;Content-Type" {
		t.Errorf("a failed list replaced the memo (%q)", m.list)
	}
	long := "host;" + strings.Repeat("x", maxMemoSigned)
	if names, err := v.splitSigned(long); err != nil || len(names) != 2 {
		t.Fatalf("long list: %d names, %v", len(names), err)
	}
	if m := v.signed.Load(); m.list == long {
		t.Error("a list over maxMemoSigned was kept")
	}
	back, _ := v.splitSigned("host;x-amz-date")
	if !slices.Equal(back, first) {
		t.Errorf("back = %q", back)
	}
}
