package admin

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	chime "github.com/chimed/chimed"
)

// Searching available numbers and ordering them; the orders and their status.

// searchPageSize is the number of available numbers a search page shows.
const searchPageSize = 20

func (c *Console) numberOrderPages(rt *router) {
	rt.page("GET /admin/phone-numbers/search", searchNumbersPage)
	rt.page("GET /admin/phone-numbers/orders", ordersPage)
	rt.page("GET /admin/phone-numbers/orders/{order}", orderPage)
	rt.post("POST /admin/phone-numbers/orders", "CreatePhoneNumberOrder", createOrder)
}

// searchData is the data of numbers_search.html.
type searchData struct {
	Product, Country, AreaCode, City, State, TollFree, Type string // the search form
	Products                                                []chime.ProductType
	Countries                                               []string
	Searched                                                bool     // the form was submitted
	Numbers                                                 []string // the available numbers found
	Paging                                                  Paging
	Problem                                                 string
}

// searchNumbersPage: GET /admin/phone-numbers/search?product=&country=&areacode=&city=&state=&tollfree=&type=
// &token= → SearchAvailablePhoneNumbers; the numbers found can be ordered (POST /admin/phone-numbers/orders).
func searchNumbersPage(q *request) {
	qv := q.r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(qv.Get(k)) }
	d := searchData{Product: get("product"), Country: get("country"), AreaCode: get("areacode"), City: get("city"),
		State: get("state"), TollFree: get("tollfree"), Type: get("type"), Products: []chime.ProductType{
			chime.ProductBusinessCalling, chime.ProductVoiceConnector, chime.ProductSipMediaApplicationDialIn}}
	if d.Product == "" {
		d.Product = string(chime.ProductBusinessCalling)
	}
	if d.Country == "" {
		d.Country = "US"
	}
	sma := string(chime.ProductSipMediaApplicationDialIn) // the product type offered in every country
	countries, err := q.c.svc.ListNumberCountries(q.r.Context(), &sma)
	if err != nil {
		q.fail(err)
		return
	}
	for _, c := range countries {
		d.Countries = append(d.Countries, c.Country)
	}
	status := http.StatusOK
	if qv.Has("search") || qv.Has("token") {
		d.Searched = true
		opt := func(s string) *string {
			if s == "" {
				return nil
			}
			return &s
		}
		in := chime.SearchNumbersInput{Country: opt(d.Country), AreaCode: opt(d.AreaCode), City: opt(d.City),
			State: opt(d.State), TollFreePrefix: opt(d.TollFree), Type: opt(d.Type), MaxResults: searchPageSize,
			NextToken: opt(qv.Get("token"))}
		list, next, err := q.c.svc.SearchAvailableNumbers(q.r.Context(), q.key().AwsAccountID, in)
		if err != nil {
			if s, _ := statusOf(err); s >= 500 {
				q.fail(err)
				return
			}
			status, d.Problem = http.StatusBadRequest, plain(err)
		}
		d.Numbers = list
		d.Paging = pageLinks("/admin/phone-numbers/search", url.Values{"search": {"1"}, "product": {d.Product},
			"country": {d.Country}, "areacode": {d.AreaCode}, "city": {d.City}, "state": {d.State},
			"tollfree": {d.TollFree}, "type": {d.Type}, "token": {qv.Get("token")}}, next)
	}
	q.render(status, "numbers_search", "Search and order numbers", "Phone numbers", d)
}

// ordersData is the data of numbers_orders.html.
type ordersData struct {
	Orders  []*chime.PhoneNumberOrder
	Paging  Paging
	Problem string
}

// ordersPage: GET /admin/phone-numbers/orders?token= → ListPhoneNumberOrders (oldest first).
func ordersPage(q *request) {
	qv := q.r.URL.Query()
	var tok *string
	if t := qv.Get("token"); t != "" {
		tok = &t
	}
	var d ordersData
	status := http.StatusOK
	list, next, err := q.c.svc.ListPhoneNumberOrders(q.r.Context(), q.key().AwsAccountID, 50, tok)
	if err != nil {
		if s, _ := statusOf(err); s >= 500 {
			q.fail(err)
			return
		}
		status, d.Problem = http.StatusBadRequest, plain(err)
	}
	d.Orders = list
	d.Paging = pageLinks("/admin/phone-numbers/orders", url.Values{"token": {qv.Get("token")}}, next)
	q.render(status, "numbers_orders", "Phone number orders", "Phone numbers", d)
}

// orderPage: GET /admin/phone-numbers/orders/{order} → GetPhoneNumberOrder.
func orderPage(q *request) {
	o, err := q.c.svc.GetPhoneNumberOrder(q.r.Context(), q.key().AwsAccountID, q.r.PathValue("order"))
	if err != nil {
		q.fail(err)
		return
	}
	q.render(http.StatusOK, "numbers_order", "Order "+o.ID, "Phone numbers", o)
}

// createOrder: POST /admin/phone-numbers/orders (ProductType, E164PhoneNumbers: the checked numbers, or a text
// of numbers one a line) → CreatePhoneNumberOrder; on success the order's page.
func createOrder(q *request) {
	pt := q.form.Get("ProductType")
	var numbers []string
	for _, v := range q.form["E164PhoneNumbers"] {
		for _, n := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' }) {
			numbers = append(numbers, n)
		}
	}
	var o *chime.PhoneNumberOrder
	err := q.act(map[string]any{"ProductType": pt, "E164PhoneNumbers": numbers}, nil, func(ctx context.Context) error {
		var err error
		o, err = q.c.svc.CreatePhoneNumberOrder(ctx, q.key().AwsAccountID, &pt, numbers)
		if err == nil {
			q.created = append(q.created, resource("PhoneNumberOrder", o.ID))
		}
		return err
	})
	if err != nil {
		q.failed("/admin/phone-numbers/search", err)
		return
	}
	q.done("/admin/phone-numbers/orders/"+url.PathEscape(o.ID), "Order placed for "+strconv.Itoa(len(numbers))+
		" number"+plural(len(numbers))+": it is processing until the numbers are acquired.")
}
