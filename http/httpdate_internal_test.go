package http

import (
	"net/http"
	"testing"
	"time"
)

// TestHTTPDates checks the Date header's value: the current second in http.TimeFormat (what net/http writes
// itself), one shared read-only value within a second, and a new one once the second changes.
func TestHTTPDates(t *testing.T) {
	var d httpDates
	before := time.Now().Truncate(time.Second)
	v := d.header()
	after := time.Now()
	if len(v) != 1 || cap(v) != 1 {
		t.Fatalf("value %q (cap %d): want one value with no room to append into", v, cap(v))
	}
	got, err := http.ParseTime(v[0])
	if err != nil || got.Before(before) || got.After(after) || v[0] != got.UTC().Format(http.TimeFormat) {
		t.Fatalf("Date %q (%v): want the second between %v and %v in http.TimeFormat", v[0], err, before, after)
	}
	for range 3 { // two calls within one second share the value (retried if a second ended in between)
		s0 := time.Now().Unix()
		a, b := d.header(), d.header()
		if time.Now().Unix() != s0 {
			continue
		}
		if &a[0] != &b[0] {
			t.Fatal("two Dates of the same second were formatted twice")
		}
		break
	}
	old := d.header()
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	if next := d.header(); next[0] == old[0] {
		t.Fatalf("Date %q did not change with the second", next[0])
	}
}
