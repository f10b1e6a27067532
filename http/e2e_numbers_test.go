package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// numbers returns prefix followed by width-digit n for n in lo..hi.
func numbers(prefix string, width, lo, hi int) []string {
	var out []string
	for n := lo; n <= hi; n++ {
		out = append(out, fmt.Sprintf("%s%0*d", prefix, width, n))
	}
	return out
}

func TestListSupportedPhoneNumberCountries(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for pt, want := range map[types.PhoneNumberProductType]string{
		types.PhoneNumberProductTypeBusinessCalling: "US:Local",
		types.PhoneNumberProductTypeVoiceConnector:  "US:Local,TollFree",
		types.PhoneNumberProductTypeSipMediaApplicationDialIn: "AU:Local,TollFree DE:Local FR:Local GB:Local,TollFree " +
			"US:Local,TollFree",
	} {
		out, err := c.ListSupportedPhoneNumberCountries(ctx, &chime.ListSupportedPhoneNumberCountriesInput{ProductType: pt})
		if err != nil {
			t.Fatalf("%s: %v", pt, err)
		}
		checkMeta(t, out.ResultMetadata, 200)
		var got []string
		for _, pc := range out.PhoneNumberCountries {
			var ts []string
			for _, x := range pc.SupportedPhoneNumberTypes {
				ts = append(ts, string(x))
			}
			got = append(got, *pc.CountryCode+":"+strings.Join(ts, ","))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %v, want %s", pt, got, want)
		}
	}
	r := s.raw(t, tenantA, "GET", "/phone-number-countries?product-type=BusinessCalling", nil)
	if r.Status != 200 || string(r.Body) != `{"PhoneNumberCountries":[{"CountryCode":"US","SupportedPhoneNumberTypes":["Local"]}]}` {
		t.Errorf("raw: %d %s", r.Status, r.Body)
	}
	_, err := c.ListSupportedPhoneNumberCountries(ctx, &chime.ListSupportedPhoneNumberCountriesInput{ProductType: "Nope"})
	wantBadRequest(t, err)
	for _, q := range []string{"", "?product-type=", "?product-type=Nope", "?product-type=businesscalling"} {
		wantRawErr(t, s.raw(t, tenantA, "GET", "/phone-number-countries"+q, nil), 400, "BadRequestException", "BadRequest")
	}
}

func search(tb testing.TB, c *chime.Client, in chime.SearchAvailablePhoneNumbersInput) *chime.SearchAvailablePhoneNumbersOutput {
	tb.Helper()
	out, err := c.SearchAvailablePhoneNumbers(ctx, &in)
	if err != nil {
		tb.Fatalf("SearchAvailablePhoneNumbers: %v", err)
	}
	checkMeta(tb, out.ResultMetadata, 200)
	return out
}

func TestSearchAvailablePhoneNumbers(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	for _, x := range []struct {
		name string
		in   chime.SearchAvailablePhoneNumbersInput
		want []string
	}{
		{"area code (the CLI example)", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206")}, numbers("+1206555", 4, 100, 109)},
		{"state", chime.SearchAvailablePhoneNumbersInput{State: aws.String("TX"), MaxResults: aws.Int32(2)}, numbers("+1214555", 4, 100, 101)},
		{"city and state", chime.SearchAvailablePhoneNumbersInput{City: aws.String("Seattle"), State: aws.String("WA"), MaxResults: aws.Int32(2)}, numbers("+1206555", 4, 100, 101)},
		{"area code over state", chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("415"), State: aws.String("WA"), MaxResults: aws.Int32(1)}, []string{"+14155550100"}},
		{"US Local", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("US"), AreaCode: aws.String("312"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)}, []string{"+13125550100"}},
		{"toll-free prefix", chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("877"), PhoneNumberType: types.PhoneNumberTypeTollFree, MaxResults: aws.Int32(2)}, numbers("+1877555", 4, 100, 101)},
		{"GB Local", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(2)}, numbers("+44207946", 4, 0, 1)},
		{"GB TollFree", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeTollFree, MaxResults: aws.Int32(1)}, []string{"+448081570000"}},
		{"DE Local", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("DE"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)}, []string{"+493023125000"}},
		{"FR Local", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("FR"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)}, []string{"+33199000000"}},
		{"AU Local", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("AU"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)}, []string{"+61255500000"}},
		{"AU TollFree", chime.SearchAvailablePhoneNumbersInput{Country: aws.String("AU"), PhoneNumberType: types.PhoneNumberTypeTollFree, MaxResults: aws.Int32(1)}, []string{"+611800160400"}},
	} {
		out := search(t, c, x.in)
		if !slices.Equal(out.E164PhoneNumbers, x.want) {
			t.Errorf("%s: %v, want %v", x.name, out.E164PhoneNumbers, x.want)
		}
		if out.NextToken == nil || *out.NextToken == "" {
			t.Errorf("%s: no NextToken", x.name)
		}
	}
	// Another caller sees the same pool: nothing is held by a search.
	out := search(t, c, chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(1)})
	other := search(t, newServerClient(t, c, tenantB), chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(1)})
	if !slices.Equal(out.E164PhoneNumbers, other.E164PhoneNumbers) {
		t.Errorf("tenants see %v and %v", out.E164PhoneNumbers, other.E164PhoneNumbers)
	}
}

// newServerClient is c's server with another caller; setup's server is reached through c's endpoint.
func newServerClient(tb testing.TB, c *chime.Client, keyID string) *chime.Client {
	tb.Helper()
	o := c.Options()
	return chime.New(o, func(o *chime.Options) {
		o.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(_ context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "x"}, nil
		}))
	})
}

func TestSearchAvailablePhoneNumbersPaginator(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	p := chime.NewSearchAvailablePhoneNumbersPaginator(c, &chime.SearchAvailablePhoneNumbersInput{
		Country: aws.String("AU"), PhoneNumberType: types.PhoneNumberTypeTollFree, MaxResults: aws.Int32(30)})
	var got []string
	var sizes []int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", len(sizes)+1, err)
		}
		checkMeta(t, page.ResultMetadata, 200)
		sizes = append(sizes, len(page.E164PhoneNumbers))
		if last := len(sizes) == 4; (page.NextToken == nil) != last {
			t.Errorf("page %d: NextToken %v", len(sizes), page.NextToken)
		}
		got = append(got, page.E164PhoneNumbers...)
		if len(sizes) > 4 {
			t.Fatal("more than 4 pages")
		}
	}
	if !slices.Equal(sizes, []int{30, 30, 30, 10}) || !slices.Equal(got, numbers("+611800160", 3, 400, 499)) {
		t.Errorf("sizes %v, numbers %v", sizes, got)
	}
	// The default page is 10, and pages of 500 walk a whole US pool.
	p = chime.NewSearchAvailablePhoneNumbersPaginator(c, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206")})
	page, err := p.NextPage(ctx)
	if err != nil || len(page.E164PhoneNumbers) != 10 {
		t.Fatalf("default page: %v %v", page, err)
	}
	p = chime.NewSearchAvailablePhoneNumbersPaginator(c, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(500)})
	got = got[:0]
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, pages = append(got, page.E164PhoneNumbers...), pages+1
	}
	if pages != 20 || !slices.Equal(got, numbers("+1206555", 4, 100, 9999)) {
		t.Errorf("%d pages, %d numbers", pages, len(got))
	}
}

func TestSearchAvailablePhoneNumbersRefusals(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	first := search(t, c, chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(2)})
	tok := *first.NextToken
	for name, in := range map[string]chime.SearchAvailablePhoneNumbersInput{
		"no filter":                 {},
		"type alone":                {PhoneNumberType: types.PhoneNumberTypeLocal},
		"unsupported country":       {Country: aws.String("CA"), PhoneNumberType: types.PhoneNumberTypeLocal},
		"lowercase country":         {Country: aws.String("us"), AreaCode: aws.String("206")},
		"city without state":        {City: aws.String("Seattle")},
		"unknown state":             {State: aws.String("ZZ")},
		"area code N11":             {AreaCode: aws.String("411")},
		"area code malformed":       {AreaCode: aws.String("20a")},
		"area code toll-free":       {AreaCode: aws.String("866")},
		"bad toll-free prefix":      {TollFreePrefix: aws.String("801")},
		"long toll-free prefix":     {TollFreePrefix: aws.String("8000")},
		"toll-free with area code":  {TollFreePrefix: aws.String("800"), AreaCode: aws.String("206")},
		"toll-free with Local":      {TollFreePrefix: aws.String("800"), PhoneNumberType: types.PhoneNumberTypeLocal},
		"state with TollFree":       {State: aws.String("WA"), PhoneNumberType: types.PhoneNumberTypeTollFree},
		"unknown type":              {AreaCode: aws.String("206"), PhoneNumberType: "Mobile"},
		"GB without type":           {Country: aws.String("GB")},
		"GB with area code":         {Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, AreaCode: aws.String("206")},
		"DE TollFree":               {Country: aws.String("DE"), PhoneNumberType: types.PhoneNumberTypeTollFree},
		"max results 0":             {AreaCode: aws.String("206"), MaxResults: aws.Int32(0)},
		"max results 501":           {AreaCode: aws.String("206"), MaxResults: aws.Int32(501)},
		"token of another search":   {AreaCode: aws.String("207"), MaxResults: aws.Int32(2), NextToken: &tok},
		"token with another filter": {AreaCode: aws.String("206"), State: aws.String("WA"), NextToken: &tok},
		"garbage token":             {AreaCode: aws.String("206"), NextToken: aws.String("garbage")},
	} {
		_, err := c.SearchAvailablePhoneNumbers(ctx, &in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantBadRequest(t, err)
	}
	_, err := newServerClient(t, c, tenantB).SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{
		AreaCode: aws.String("206"), MaxResults: aws.Int32(2), NextToken: &tok})
	wantBadRequest(t, err) // another caller's token

	for _, q := range []string{"area-code=206&max-results=abc", "area-code=206&max-results=-1", "country=USA&area-code=206",
		"area-code=206&phone-number-type=local", "state=WA&city=", "toll-free-prefix=80"} {
		r := s.raw(t, tenantA, "GET", "/search?type=phone-numbers&"+q, nil)
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	// /search without the selector is no operation (D18).
	r := s.raw(t, tenantA, "GET", "/search?area-code=206", nil)
	if r.Status != 404 || r.errorType() != "UnknownOperationException" {
		t.Errorf("no selector: %d %s %s", r.Status, r.errorType(), r.Body)
	}
}

// TestSearchAvailablePhoneNumbersRawOrder: botocore puts the selector first, Go sorts every parameter; both
// are the same request.
func TestSearchAvailablePhoneNumbersRawOrder(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	want := `{"E164PhoneNumbers":["+12065550100","+12065550101","+12065550102","+12065550103","+12065550104"],"NextToken":`
	for _, q := range []string{"type=phone-numbers&area-code=206&max-results=5", "area-code=206&max-results=5&type=phone-numbers",
		"max-results=5&type=phone-numbers&area-code=206"} {
		r := s.raw(t, tenantA, "GET", "/search?"+q, nil)
		if r.Status != 200 || !strings.HasPrefix(string(r.Body), want) {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
		var out struct{ NextToken string }
		if err := json.Unmarshal(r.Body, &out); err != nil || out.NextToken == "" {
			t.Errorf("%s: NextToken %q (%v)", q, out.NextToken, err)
		}
		next := s.raw(t, tenantA, "GET", "/search?"+q+"&next-token="+out.NextToken, nil)
		if next.Status != 200 || !strings.HasPrefix(string(next.Body), `{"E164PhoneNumbers":["+12065550105",`) {
			t.Errorf("%s next page: %d %s", q, next.Status, next.Body)
		}
	}
	r := s.raw(t, tenantA, "GET", "/search?type=phone-numbers&country=AU&phone-number-type=TollFree&max-results=100", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "NextToken") || strings.Count(string(r.Body), "+61") != 100 {
		t.Errorf("whole pool: %d %s", r.Status, r.Body)
	}
}
