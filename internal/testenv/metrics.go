package testenv

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metrics is a scrape of a /metrics endpoint, parsed with the Prometheus text parser, by metric family name.
type Metrics map[string]*dto.MetricFamily

// Scrape GETs url (a /metrics endpoint) and parses the answer with expfmt's text parser; anything but a 200 in
// the text format fails tb.
func Scrape(tb testing.TB, url string) Metrics {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		tb.Fatalf("scrape %s: status %d, Content-Type %q", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		tb.Fatalf("scrape %s: %v", url, err)
	}
	return fams
}

// Value returns the value of the sample of family name whose labels include labels (a counter's, a gauge's or an
// untyped value; a histogram's or a summary's sample count), summed over every matching sample, and whether any
// matched.
func (m Metrics) Value(name string, labels ...string) (float64, bool) {
	f := m[name]
	if f == nil {
		return 0, false
	}
	var sum float64
	found := false
next:
	for _, s := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			ok := false
			for _, l := range s.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					ok = true
				}
			}
			if !ok {
				continue next
			}
		}
		found = true
		switch {
		case s.Counter != nil:
			sum += s.Counter.GetValue()
		case s.Gauge != nil:
			sum += s.Gauge.GetValue()
		case s.Untyped != nil:
			sum += s.Untyped.GetValue()
		case s.Histogram != nil:
			sum += float64(s.Histogram.GetSampleCount())
		case s.Summary != nil:
			sum += float64(s.Summary.GetSampleCount())
		}
	}
	return sum, found
}

// LabelValues returns every label value of every sample, sorted, once each.
func (m Metrics) LabelValues() []string {
	seen := map[string]bool{}
	for _, f := range m {
		for _, s := range f.Metric {
			for _, l := range s.Label {
				seen[l.GetValue()] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
