package chime

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Phone number search and the countries offered (docs/behavior.md §4.24, §4.25; D21, D22, D30).

// ProductType is what a phone number is ordered for.
type ProductType string

// Product types.
const (
	ProductBusinessCalling           ProductType = "BusinessCalling"
	ProductVoiceConnector            ProductType = "VoiceConnector"
	ProductSipMediaApplicationDialIn ProductType = "SipMediaApplicationDialIn"
)

// NumberType is the kind of a phone number.
type NumberType string

// Number types.
const (
	NumberLocal    NumberType = "Local"
	NumberTollFree NumberType = "TollFree"
)

// Fields of the phone number search.
const (
	FieldProductType    Field = "product type"
	FieldCountry        Field = "country"
	FieldAreaCode       Field = "area code"
	FieldCity           Field = "city"
	FieldState          Field = "state"
	FieldTollFreePrefix Field = "toll-free prefix"
	FieldNumberType     Field = "number type"
)

// NumberCountry is a country where numbers of a product type can be ordered, and the types offered there.
type NumberCountry struct {
	Country string
	Types   []NumberType
}

// numberCountries is D30's table, ascending by country.
var numberCountries = map[ProductType][]NumberCountry{
	ProductBusinessCalling: {{"US", []NumberType{NumberLocal}}},
	ProductVoiceConnector:  {{"US", []NumberType{NumberLocal, NumberTollFree}}},
	ProductSipMediaApplicationDialIn: {
		{"AU", []NumberType{NumberLocal, NumberTollFree}},
		{"DE", []NumberType{NumberLocal}},
		{"FR", []NumberType{NumberLocal}},
		{"GB", []NumberType{NumberLocal, NumberTollFree}},
		{"US", []NumberType{NumberLocal, NumberTollFree}},
	},
}

// ListNumberCountries returns the countries where numbers of product type pt can be ordered, ascending, each with
// the number types offered there (§4.25, D30): toll-free numbers are never BusinessCalling, and numbers outside
// the US are SipMediaApplicationDialIn only. Errors: EINVALID (FieldProductType) when pt is missing or unknown.
func (s *Service) ListNumberCountries(_ context.Context, pt *string) ([]NumberCountry, error) {
	if pt == nil {
		return nil, InvalidField(FieldProductType, "is required")
	}
	list, ok := numberCountries[ProductType(*pt)]
	if !ok {
		return nil, InvalidField(FieldProductType, "must be one of BusinessCalling, VoiceConnector, SipMediaApplicationDialIn")
	}
	out := make([]NumberCountry, len(list))
	for i, c := range list {
		out[i] = NumberCountry{Country: c.Country, Types: slices.Clone(c.Types)}
	}
	return out, nil
}

// stateAreaCodes gives the area code of the US Local pool searched by state (D21).
var stateAreaCodes = map[string]string{
	"AL": "205", "AK": "907", "AZ": "602", "AR": "501", "CA": "213", "CO": "303", "CT": "203", "DE": "302",
	"DC": "202", "FL": "305", "GA": "404", "HI": "808", "ID": "208", "IL": "312", "IN": "317", "IA": "515",
	"KS": "316", "KY": "502", "LA": "504", "ME": "207", "MD": "410", "MA": "617", "MI": "313", "MN": "612",
	"MS": "601", "MO": "314", "MT": "406", "NE": "402", "NV": "702", "NH": "603", "NJ": "201", "NM": "505",
	"NY": "212", "NC": "704", "ND": "701", "OH": "216", "OK": "405", "OR": "503", "PA": "215", "RI": "401",
	"SC": "803", "SD": "605", "TN": "615", "TX": "214", "UT": "801", "VT": "802", "VA": "703", "WA": "206",
	"WV": "304", "WI": "414", "WY": "307",
}

var (
	areaCodeRe       = regexp.MustCompile(`^[2-9][0-9]{2}$`)
	tollFreePrefixRe = regexp.MustCompile(`^8(00|33|44|55|66|77|88)$`)
)

// numberPool is one of D21's fixed pools: prefix followed by a width-digit sequence lo…hi.
type numberPool struct {
	prefix string
	width  int
	lo, hi int64
}

func (p numberPool) number(n int64) string { return p.prefix + fmt.Sprintf("%0*d", p.width, n) }

// seqOf is the position of number e164 of the pool.
func (p numberPool) seqOf(e164 string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(e164, p.prefix), 10, 64)
	return n
}

// The pools outside the US (D21), by country and type.
var foreignPools = map[string]map[NumberType]numberPool{
	"GB": {NumberLocal: {"+44207946", 4, 0, 9999}, NumberTollFree: {"+44808157", 4, 0, 9999}},
	"DE": {NumberLocal: {"+493023125", 3, 0, 999}},
	"FR": {NumberLocal: {"+33199", 6, 0, 999999}},
	"AU": {NumberLocal: {"+6125550", 4, 0, 9999}, NumberTollFree: {"+611800160", 3, 400, 499}},
}

// SearchNumbersInput are the filters and paging of SearchAvailableNumbers; nil members were not given.
type SearchNumbersInput struct {
	AreaCode       *string
	City           *string
	Country        *string // default US
	State          *string
	TollFreePrefix *string
	Type           *string // Local or TollFree
	MaxResults     int     // page size 1..500; 0 is the default, 10
	NextToken      *string
}

// Search page sizes (§2.4).
const (
	DefaultSearchResults = 10
	MaxSearchResults     = 500
)

// searchPool applies D22's filter rules and returns the pool they select (D21).
func searchPool(in SearchNumbersInput) (numberPool, error) {
	var typ NumberType
	if in.Type != nil {
		typ = NumberType(*in.Type)
		if typ != NumberLocal && typ != NumberTollFree {
			return numberPool{}, InvalidField(FieldNumberType, "must be one of Local, TollFree")
		}
	}
	country := "US"
	if in.Country != nil {
		country = *in.Country
		if !slices.ContainsFunc(numberCountries[ProductSipMediaApplicationDialIn],
			func(c NumberCountry) bool { return c.Country == country }) {
			return numberPool{}, InvalidField(FieldCountry, "must be one of AU, DE, FR, GB, US")
		}
	}
	if country != "US" {
		for _, f := range []struct {
			v     *string
			field Field
		}{{in.AreaCode, FieldAreaCode}, {in.City, FieldCity}, {in.State, FieldState}, {in.TollFreePrefix, FieldTollFreePrefix}} {
			if f.v != nil {
				return numberPool{}, InvalidField(f.field, "applies to US numbers only")
			}
		}
		if typ == "" {
			return numberPool{}, InvalidField(FieldNumberType, "is required outside the US")
		}
		p, ok := foreignPools[country][typ]
		if !ok {
			return numberPool{}, InvalidField(FieldNumberType, "%s numbers are not offered in %s", typ, country)
		}
		return p, nil
	}
	if in.AreaCode == nil && in.City == nil && in.State == nil && in.TollFreePrefix == nil {
		return numberPool{}, Invalid("give at least one of AreaCode, City, State or TollFreePrefix for US numbers")
	}
	if in.City != nil && strings.TrimSpace(*in.City) == "" {
		return numberPool{}, InvalidField(FieldCity, "must not be blank")
	}
	if in.City != nil && in.State == nil {
		return numberPool{}, InvalidField(FieldState, "is required with City")
	}
	var stateCode string
	if in.State != nil {
		var ok bool
		if stateCode, ok = stateAreaCodes[*in.State]; !ok {
			return numberPool{}, InvalidField(FieldState, "must be a US state code such as WA")
		}
	}
	if in.AreaCode != nil {
		a := *in.AreaCode
		if !areaCodeRe.MatchString(a) || a[1:] == "11" || tollFreePrefixRe.MatchString(a) {
			return numberPool{}, InvalidField(FieldAreaCode, "must be a US geographic area code such as 206")
		}
	}
	if in.TollFreePrefix != nil {
		p := *in.TollFreePrefix
		if !tollFreePrefixRe.MatchString(p) {
			return numberPool{}, InvalidField(FieldTollFreePrefix, "must be one of 800, 833, 844, 855, 866, 877, 888")
		}
		if in.AreaCode != nil || in.City != nil || in.State != nil {
			return numberPool{}, InvalidField(FieldTollFreePrefix, "cannot be combined with AreaCode, City or State")
		}
		if typ == NumberLocal {
			return numberPool{}, InvalidField(FieldTollFreePrefix, "cannot be combined with Local numbers")
		}
		return numberPool{"+1" + p + "555", 4, 100, 9999}, nil
	}
	if typ == NumberTollFree {
		return numberPool{}, InvalidField(FieldNumberType, "TollFree cannot be combined with AreaCode, City or State")
	}
	npa := stateCode
	if in.AreaCode != nil {
		npa = *in.AreaCode // the area code wins over the state
	}
	return numberPool{"+1" + npa + "555", 4, 100, 9999}, nil
}

// acquiredBatch is how many acquired numbers one store call returns while a search skips them.
const acquiredBatch = 512

// SearchAvailableNumbers returns a page of the numbers of the pool the filters select that were never acquired
// by anyone, ascending, and the token of the next page ("" on the last) (§4.24, D21, D22, D9). Errors: EINVALID
// for a filter the rules refuse (the field at fault, or none for a missing US filter), a page size outside
// 1..500 (FieldMaxResults) or a token not issued for this search (FieldNextToken).
func (s *Service) SearchAvailableNumbers(ctx context.Context, aws string, in SearchNumbersInput) ([]string, string, error) {
	pool, err := searchPool(in)
	if err != nil {
		return nil, "", err
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = DefaultSearchResults
	}
	if limit < 1 || limit > MaxSearchResults {
		return nil, "", InvalidField(FieldMaxResults, "must be between 1 and %d", MaxSearchResults)
	}
	opt := func(p *string) string {
		if p == nil {
			return "\x01"
		}
		return *p
	}
	scope := pageScope("SearchAvailablePhoneNumbers", aws, pool.prefix, opt(in.Country), opt(in.AreaCode),
		opt(in.City), opt(in.State), opt(in.TollFreePrefix), opt(in.Type))
	after, err := s.pageStart(scope, in.NextToken)
	if err != nil {
		return nil, "", err
	}
	next := max(pool.lo, after) // the token holds the sequence number after the last number shown
	limit++                     // one more tells whether another page follows
	var list []string
	err = s.store.Read(ctx, func(tx Tx) error {
		list = list[:0]
		n := next
		for len(list) < limit && n <= pool.hi {
			acquired, err := tx.AcquiredNumbers(ctx, pool.number(n), pool.number(pool.hi), acquiredBatch)
			if err != nil {
				return err
			}
			full := len(acquired) == acquiredBatch
			for len(list) < limit && n <= pool.hi {
				e := pool.number(n)
				for len(acquired) > 0 && acquired[0] < e {
					acquired = acquired[1:] // not of this pool's format
				}
				if full && len(acquired) == 0 {
					break // past the batch: fetch the next one from n
				}
				n++
				if len(acquired) > 0 && acquired[0] == e {
					acquired = acquired[1:]
					continue
				}
				list = append(list, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	list, token := page(s.tokens, scope, list, limit, func(e string) int64 { return pool.seqOf(e) + 1 })
	if list == nil {
		list = []string{}
	}
	return list, token, nil
}
