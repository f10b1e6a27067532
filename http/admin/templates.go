package admin

import (
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"
)

// parseTemplates parses every page of templates/ (each but layout.html) with the layout: pages[name] renders
// "layout", which calls the page's "content". It panics on a parse error (the templates are embedded).
func parseTemplates() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(templateFuncs()).ParseFS(templateFS, "templates/layout.html", n))
	}
	return pages
}

// templateFuncs are the template functions of every page.
func templateFuncs() template.FuncMap {
	return template.FuncMap{"fmtTime": fmtTime, "join": strings.Join}
}

// fmtTime shows a time for people, in UTC; the zero time is "—".
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// Paging is the data of the paging links of a list ({{template "paging" .Paging}}): First when the list is not
// on its first page, Next when there is a next page.
type Paging struct {
	First, Next string
}

// pageLinks returns the paging links of a list at base whose current query is q (its filters kept) and whose
// next-page token is next ("" on the last page); the token travels in the query parameter "token".
func pageLinks(base string, q url.Values, next string) Paging {
	var p Paging
	filters := url.Values{}
	for k, vs := range q {
		if k != "token" && len(vs) > 0 && vs[0] != "" {
			filters.Set(k, vs[0])
		}
	}
	if q.Get("token") != "" {
		p.First = withQuery(base, filters)
	}
	if next != "" {
		n := url.Values{}
		for k, vs := range filters {
			n[k] = vs
		}
		n.Set("token", next)
		p.Next = withQuery(base, n)
	}
	return p
}

func withQuery(base string, v url.Values) string {
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}
