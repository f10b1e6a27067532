package http

import (
	"net/http"
	"sync/atomic"
	"time"
)

// httpDates gives responses their Date header, formatted once a second instead of by net/http on every
// response (net/http leaves a Date the handler set alone). The value is the one net/http would write: the
// wall-clock second at the moment the header is set, in http.TimeFormat.
type httpDates struct {
	last atomic.Pointer[httpDate]
}

type httpDate struct {
	sec int64
	v   []string // one value, length and capacity 1: shared by every response of that second, never changed
}

// header returns the Date header's value for now, as a header map value (read only).
func (d *httpDates) header() []string {
	now := time.Now()
	sec := now.Unix()
	if e := d.last.Load(); e != nil && e.sec == sec {
		return e.v
	}
	e := &httpDate{sec: sec, v: []string{now.UTC().Format(http.TimeFormat)}}
	d.last.Store(e)
	return e.v
}
