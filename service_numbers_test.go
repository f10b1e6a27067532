package chime_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	chime "github.com/chimed/chimed"
)

func TestListNumberCountries(t *testing.T) {
	e := newEnv(t)
	type row = struct {
		country string
		types   []chime.NumberType
	}
	L, T := chime.NumberLocal, chime.NumberTollFree
	for pt, want := range map[string][]row{
		"BusinessCalling": {{"US", []chime.NumberType{L}}},
		"VoiceConnector":  {{"US", []chime.NumberType{L, T}}},
		"SipMediaApplicationDialIn": {{"AU", []chime.NumberType{L, T}}, {"DE", []chime.NumberType{L}},
			{"FR", []chime.NumberType{L}}, {"GB", []chime.NumberType{L, T}}, {"US", []chime.NumberType{L, T}}},
	} {
		got, err := e.Svc.ListNumberCountries(ctx, &pt)
		must(t, err)
		if len(got) != len(want) {
			t.Fatalf("%s: %v", pt, got)
		}
		for i := range want {
			if got[i].Country != want[i].country || !slices.Equal(got[i].Types, want[i].types) {
				t.Fatalf("%s: %v, want %v", pt, got, want)
			}
		}
		got[0].Types[0] = "Mutated" // the table is not shared with callers
	}
	got, _ := e.Svc.ListNumberCountries(ctx, ptr("BusinessCalling"))
	if got[0].Types[0] != chime.NumberLocal {
		t.Fatal("caller changed the table")
	}
	_, err := e.Svc.ListNumberCountries(ctx, nil)
	wantErr(t, err, chime.EINVALID, chime.FieldProductType)
	for _, bad := range []string{"", "Nope", "businesscalling"} {
		_, err := e.Svc.ListNumberCountries(ctx, &bad)
		wantErr(t, err, chime.EINVALID, chime.FieldProductType)
	}
}

// seq returns the numbers prefix+n for n in lo..hi, width digits.
func seq(prefix string, width, lo, hi int) []string {
	var out []string
	for n := lo; n <= hi; n++ {
		out = append(out, fmt.Sprintf("%s%0*d", prefix, width, n))
	}
	return out
}

func TestSearchAvailableNumbersPools(t *testing.T) {
	e := newEnv(t)
	aws := newTenant()
	for _, c := range []struct {
		name string
		in   chime.SearchNumbersInput
		want []string
	}{
		{"area code", chime.SearchNumbersInput{AreaCode: ptr("206")}, seq("+1206555", 4, 100, 109)},
		{"area code, Local", chime.SearchNumbersInput{AreaCode: ptr("312"), Type: ptr("Local"), Country: ptr("US")}, seq("+1312555", 4, 100, 109)},
		{"state", chime.SearchNumbersInput{State: ptr("WA")}, seq("+1206555", 4, 100, 109)},
		{"state NY", chime.SearchNumbersInput{State: ptr("NY"), MaxResults: 2}, seq("+1212555", 4, 100, 101)},
		{"city and state", chime.SearchNumbersInput{City: ptr("Seattle"), State: ptr("WA"), MaxResults: 3}, seq("+1206555", 4, 100, 102)},
		{"area code wins over state", chime.SearchNumbersInput{AreaCode: ptr("415"), State: ptr("WA"), MaxResults: 1}, []string{"+14155550100"}},
		{"toll-free prefix", chime.SearchNumbersInput{TollFreePrefix: ptr("844"), MaxResults: 3}, seq("+1844555", 4, 100, 102)},
		{"toll-free prefix, TollFree", chime.SearchNumbersInput{TollFreePrefix: ptr("800"), Type: ptr("TollFree")}, seq("+1800555", 4, 100, 109)},
		{"GB Local", chime.SearchNumbersInput{Country: ptr("GB"), Type: ptr("Local"), MaxResults: 2}, seq("+44207946", 4, 0, 1)},
		{"GB TollFree", chime.SearchNumbersInput{Country: ptr("GB"), Type: ptr("TollFree"), MaxResults: 2}, seq("+44808157", 4, 0, 1)},
		{"DE Local", chime.SearchNumbersInput{Country: ptr("DE"), Type: ptr("Local"), MaxResults: 2}, seq("+493023125", 3, 0, 1)},
		{"FR Local", chime.SearchNumbersInput{Country: ptr("FR"), Type: ptr("Local"), MaxResults: 2}, seq("+33199", 6, 0, 1)},
		{"AU Local", chime.SearchNumbersInput{Country: ptr("AU"), Type: ptr("Local"), MaxResults: 2}, seq("+6125550", 4, 0, 1)},
		{"AU TollFree", chime.SearchNumbersInput{Country: ptr("AU"), Type: ptr("TollFree"), MaxResults: 2}, seq("+611800160", 3, 400, 401)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, next, err := e.Svc.SearchAvailableNumbers(ctx, aws, c.in)
			must(t, err)
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			if next == "" {
				t.Fatal("no NextToken on a full page of a larger pool")
			}
		})
	}
}

func TestSearchAvailableNumbersRefusals(t *testing.T) {
	e := newEnv(t)
	aws := newTenant()
	for _, c := range []struct {
		name  string
		in    chime.SearchNumbersInput
		field chime.Field // "" = none named
	}{
		{"no filter", chime.SearchNumbersInput{}, ""},
		{"type alone", chime.SearchNumbersInput{Type: ptr("Local")}, ""},
		{"US TollFree alone", chime.SearchNumbersInput{Country: ptr("US"), Type: ptr("TollFree")}, ""},
		{"unknown country", chime.SearchNumbersInput{Country: ptr("CA"), Type: ptr("Local")}, chime.FieldCountry},
		{"lowercase country", chime.SearchNumbersInput{Country: ptr("gb"), Type: ptr("Local")}, chime.FieldCountry},
		{"three-letter country", chime.SearchNumbersInput{Country: ptr("USA"), AreaCode: ptr("206")}, chime.FieldCountry},
		{"city without state", chime.SearchNumbersInput{City: ptr("Seattle")}, chime.FieldState},
		{"blank city", chime.SearchNumbersInput{City: ptr(" "), State: ptr("WA")}, chime.FieldCity},
		{"unknown state", chime.SearchNumbersInput{State: ptr("XX")}, chime.FieldState},
		{"lowercase state", chime.SearchNumbersInput{State: ptr("wa")}, chime.FieldState},
		{"area code letters", chime.SearchNumbersInput{AreaCode: ptr("2a6")}, chime.FieldAreaCode},
		{"area code short", chime.SearchNumbersInput{AreaCode: ptr("20")}, chime.FieldAreaCode},
		{"area code long", chime.SearchNumbersInput{AreaCode: ptr("2060")}, chime.FieldAreaCode},
		{"area code leading 1", chime.SearchNumbersInput{AreaCode: ptr("106")}, chime.FieldAreaCode},
		{"area code leading 0", chime.SearchNumbersInput{AreaCode: ptr("006")}, chime.FieldAreaCode},
		{"area code N11", chime.SearchNumbersInput{AreaCode: ptr("911")}, chime.FieldAreaCode},
		{"area code 211", chime.SearchNumbersInput{AreaCode: ptr("211")}, chime.FieldAreaCode},
		{"area code toll-free", chime.SearchNumbersInput{AreaCode: ptr("800")}, chime.FieldAreaCode},
		{"area code toll-free 888", chime.SearchNumbersInput{AreaCode: ptr("888")}, chime.FieldAreaCode},
		{"bad toll-free prefix", chime.SearchNumbersInput{TollFreePrefix: ptr("899")}, chime.FieldTollFreePrefix},
		{"toll-free prefix 4 digits", chime.SearchNumbersInput{TollFreePrefix: ptr("8000")}, chime.FieldTollFreePrefix},
		{"toll-free prefix and area code", chime.SearchNumbersInput{TollFreePrefix: ptr("800"), AreaCode: ptr("206")}, chime.FieldTollFreePrefix},
		{"toll-free prefix and state", chime.SearchNumbersInput{TollFreePrefix: ptr("800"), State: ptr("WA")}, chime.FieldTollFreePrefix},
		{"toll-free prefix and city", chime.SearchNumbersInput{TollFreePrefix: ptr("800"), City: ptr("Seattle"), State: ptr("WA")}, chime.FieldTollFreePrefix},
		{"toll-free prefix and Local", chime.SearchNumbersInput{TollFreePrefix: ptr("800"), Type: ptr("Local")}, chime.FieldTollFreePrefix},
		{"area code and TollFree", chime.SearchNumbersInput{AreaCode: ptr("206"), Type: ptr("TollFree")}, chime.FieldNumberType},
		{"state and TollFree", chime.SearchNumbersInput{State: ptr("WA"), Type: ptr("TollFree")}, chime.FieldNumberType},
		{"unknown type", chime.SearchNumbersInput{AreaCode: ptr("206"), Type: ptr("Mobile")}, chime.FieldNumberType},
		{"GB without type", chime.SearchNumbersInput{Country: ptr("GB")}, chime.FieldNumberType},
		{"GB with area code", chime.SearchNumbersInput{Country: ptr("GB"), Type: ptr("Local"), AreaCode: ptr("206")}, chime.FieldAreaCode},
		{"GB with state", chime.SearchNumbersInput{Country: ptr("GB"), Type: ptr("Local"), State: ptr("WA")}, chime.FieldState},
		{"GB with city", chime.SearchNumbersInput{Country: ptr("GB"), Type: ptr("Local"), City: ptr("London")}, chime.FieldCity},
		{"AU with toll-free prefix", chime.SearchNumbersInput{Country: ptr("AU"), Type: ptr("TollFree"), TollFreePrefix: ptr("800")}, chime.FieldTollFreePrefix},
		{"DE TollFree", chime.SearchNumbersInput{Country: ptr("DE"), Type: ptr("TollFree")}, chime.FieldNumberType},
		{"FR TollFree", chime.SearchNumbersInput{Country: ptr("FR"), Type: ptr("TollFree")}, chime.FieldNumberType},
		{"max results 501", chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 501}, chime.FieldMaxResults},
		{"max results negative", chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: -1}, chime.FieldMaxResults},
		{"garbage token", chime.SearchNumbersInput{AreaCode: ptr("206"), NextToken: ptr("garbage")}, chime.FieldNextToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := e.Svc.SearchAvailableNumbers(ctx, aws, c.in)
			wantErr(t, err, chime.EINVALID, c.field)
			if c.field == "" && chime.ErrorField(err) != "" {
				t.Fatalf("field %q named", chime.ErrorField(err))
			}
		})
	}
}

// TestSearchAvailableNumbersPaging walks whole pools page by page: ascending, no repeats, no gaps, the last page
// without a token; a token only serves the search, and the caller, that got it.
func TestSearchAvailableNumbersPaging(t *testing.T) {
	e := newEnv(t)
	aws := newTenant()
	walk := func(in chime.SearchNumbersInput) (all []string, pages int) {
		t.Helper()
		for {
			list, next, err := e.Svc.SearchAvailableNumbers(ctx, aws, in)
			must(t, err)
			all, pages = append(all, list...), pages+1
			if next == "" {
				return all, pages
			}
			in.NextToken = &next
		}
	}
	all, pages := walk(chime.SearchNumbersInput{Country: ptr("AU"), Type: ptr("TollFree"), MaxResults: 30})
	if want := seq("+611800160", 3, 400, 499); !slices.Equal(all, want) || pages != 4 {
		t.Fatalf("%d pages: %v", pages, all)
	}
	all, pages = walk(chime.SearchNumbersInput{Country: ptr("AU"), Type: ptr("TollFree"), MaxResults: 50})
	if len(all) != 100 || pages != 2 { // a page that ends the pool exactly is the last
		t.Fatalf("%d numbers in %d pages", len(all), pages)
	}
	all, pages = walk(chime.SearchNumbersInput{Country: ptr("DE"), Type: ptr("Local"), MaxResults: 500})
	if want := seq("+493023125", 3, 0, 999); !slices.Equal(all, want) || pages != 2 {
		t.Fatalf("DE: %d pages, %d numbers", pages, len(all))
	}
	all, pages = walk(chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 500})
	if want := seq("+1206555", 4, 100, 9999); !slices.Equal(all, want) || pages != 20 {
		t.Fatalf("206: %d pages, %d numbers", pages, len(all))
	}

	in := chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 2}
	first, next, err := e.Svc.SearchAvailableNumbers(ctx, aws, in)
	must(t, err)
	in.NextToken = &next
	second, _, err := e.Svc.SearchAvailableNumbers(ctx, aws, in)
	must(t, err)
	if !slices.Equal(append(first, second...), seq("+1206555", 4, 100, 103)) {
		t.Fatalf("pages %v %v", first, second)
	}
	for name, other := range map[string]chime.SearchNumbersInput{
		"other area code":    {AreaCode: ptr("207"), MaxResults: 2, NextToken: &next},
		"same pool by state": {State: ptr("WA"), MaxResults: 2, NextToken: &next},
		"more filters":       {AreaCode: ptr("206"), Type: ptr("Local"), MaxResults: 2, NextToken: &next},
		"altered":            {AreaCode: ptr("206"), NextToken: ptr(next[:len(next)-2] + "AA")},
	} {
		_, _, err := e.Svc.SearchAvailableNumbers(ctx, aws, other)
		if chime.ErrorCode(err) != chime.EINVALID || chime.ErrorField(err) != chime.FieldNextToken {
			t.Fatalf("%s: %v", name, err)
		}
	}
	_, _, err = e.Svc.SearchAvailableNumbers(ctx, newTenant(), in) // another caller
	wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
	// Another page size keeps the token valid: the token holds a position.
	in.MaxResults = 3
	third, _, err := e.Svc.SearchAvailableNumbers(ctx, aws, in)
	must(t, err)
	if !slices.Equal(third, seq("+1206555", 4, 102, 104)) {
		t.Fatalf("resized page %v", third)
	}
}

// acquiredStore is a Store whose transactions report a fixed set of acquired numbers, until orders exist to
// acquire them.
type acquiredStore struct {
	chime.Store
	acquired []string // ascending
}

type acquiredTx struct {
	chime.Tx
	acquired []string
	calls    *int
}

func (s *acquiredStore) Read(ctx context.Context, fn func(chime.Tx) error) error {
	return s.Store.Read(ctx, func(tx chime.Tx) error { return fn(acquiredTx{tx, s.acquired, new(int)}) })
}

func (t acquiredTx) AcquiredNumbers(_ context.Context, from, to string, limit int) ([]string, error) {
	var out []string
	for _, e := range t.acquired {
		if e >= from && e <= to && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestSearchSkipsAcquiredNumbers(t *testing.T) {
	e := newEnv(t)
	acquired := []string{"+12065550100", "+12065550102", "+12065550103"}
	for n := 200; n < 1500; n++ { // more than one store batch in a row
		acquired = append(acquired, fmt.Sprintf("+1206555%04d", n))
	}
	acquired = append(acquired, "+12065559998", "+493023125000", "+493023125999")
	store := &acquiredStore{Store: e.Store, acquired: acquired}
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{Now: e.Clock.Now, Rand: e.PINs, Mailer: e.Mail})
	must(t, err)
	t.Cleanup(func() { svc.Drain(ctx) })
	aws := newTenant()

	got, _, err := svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 3})
	must(t, err)
	if want := []string{"+12065550101", "+12065550104", "+12065550105"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	got, next, err := svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 97})
	must(t, err)
	if got[len(got)-1] != "+12065550199" || next == "" {
		t.Fatalf("page ends %v", got[len(got)-1])
	}
	got, _, err = svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 2, NextToken: &next})
	must(t, err)
	if want := []string{"+12065551500", "+12065551501"}; !slices.Equal(got, want) {
		t.Fatalf("after the acquired run: %v, want %v", got, want)
	}
	var all []string
	in := chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 500}
	for {
		list, next, err := svc.SearchAvailableNumbers(ctx, aws, in)
		must(t, err)
		all = append(all, list...)
		if next == "" {
			break
		}
		in.NextToken = &next
	}
	if len(all) != 9900-3-1300-1 || all[len(all)-1] != "+12065559999" || slices.Contains(all, "+12065559998") {
		t.Fatalf("%d available, last %s", len(all), all[len(all)-1])
	}
	got, _, err = svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{Country: ptr("DE"), Type: ptr("Local"), MaxResults: 2})
	must(t, err)
	if want := []string{"+493023125001", "+493023125002"}; !slices.Equal(got, want) {
		t.Fatalf("DE: %v", got)
	}
}

// An exhausted pool answers an empty, non-nil list and no token.
func TestSearchExhaustedPool(t *testing.T) {
	e := newEnv(t)
	store := &acquiredStore{Store: e.Store, acquired: seq("+611800160", 3, 400, 499)}
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{Now: e.Clock.Now, Rand: e.PINs, Mailer: e.Mail})
	must(t, err)
	t.Cleanup(func() { svc.Drain(ctx) })
	got, next, err := svc.SearchAvailableNumbers(ctx, newTenant(), chime.SearchNumbersInput{Country: ptr("AU"), Type: ptr("TollFree")})
	must(t, err)
	if got == nil || len(got) != 0 || next != "" {
		t.Fatalf("got %#v, %q", got, next)
	}
}
