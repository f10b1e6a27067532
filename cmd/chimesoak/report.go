package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// writeReport writes report.md and soak.png into cfg.report.
func writeReport(cfg config, s *soak, res *runResult) error {
	if err := writePlot(filepath.Join(cfg.report, "soak.png"), s, res); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	acked, unknown := s.led.counts()
	rows, total := s.stats.table()
	p("# chimed soak: %s, %s, kill -9 every %s", s.engine(), shortDuration(cfg.duration), shortDuration(cfg.killEvery))
	p("")
	p("Run %s – %s UTC on %s.", res.start.UTC().Format("2006-01-02 15:04:05"), res.end.UTC().Format("15:04:05"), hostInfo())
	p("")
	p("```sh\ngo run ./cmd/chimesoak %s\n```", redact(strings.Join(cfg.args, " ")))
	p("")
	p("## Configuration")
	p("")
	p("| | |\n|---|---|")
	p("| engine | %s |", s.engine())
	p("| nodes | %d (`chimed serve --order-delay 1s --calling-name-interval 0 --rate-limit 0`, SigV4 with a bootstrap key) |", len(s.nodes))
	p("| load | %d workers, no pause between operations, every operation family (accounts, users: invite, create, update, batch update, suspend/unsuspend, PIN, logout, settings; global and phone number settings; phone numbers: search, order → wait → assign/unassign, delete/restore, calling name; dial-outs; retention; rooms, memberships, messages; bots with an events configuration, invites, mentions, removals, disable/enable, token regeneration; reads) |", cfg.concurrency)
	p("| kills | SIGKILL every %s, round robin over the nodes, restart on the same address and data |", cfg.killEvery)
	p("| client | aws-sdk-go-v2, one attempt per request (no SDK retries: a retried write could apply twice) |")
	p("")
	p("## Verdict")
	p("")
	p("`%s`", verdict(s, res))
	if res.err != nil {
		p("")
		p("**Not a passing run: %s.**", res.err)
	}
	p("")
	p("## Totals")
	p("")
	p("| | |\n|---|---|")
	p("| requests | %d (%d refused with a 4xx, %d without an answer or with a 5xx) |", total.Requests, total.Refused, total.Errors)
	p("| acknowledged writes (ledger) | %d |", acked)
	p("| writes of unknown outcome (answer lost in a kill; excluded from the checks) | %d |", unknown)
	p("| kills | %d |", len(res.kills))
	p("| checks | %d (load paused %s in total while checking) |", len(res.checks), s.stats.paused.Round(time.Millisecond))
	p("| acknowledged writes checked against the audit trail | %d |", res.auditChecked)
	p("| bot events (outbox, end of run) | %d delivered, %d failed, %d pending |", res.outboxDelivered, res.outboxFailed, res.outboxPending)
	p("| bot events redelivered after a crash (at-least-once, not a violation) | %d |", res.redelivered)
	p("| bot events received again after an attempt that failed on chimed's side, e.g. timed out (retried as documented; not a violation) | %d |", res.afterRetry)
	p("| bot requests refused by the receiver (bad signature) | %d |", res.rejected)
	p("")
	p("## Kills and recovery")
	p("")
	p("Recovery: from SIGKILL to `/_chimed/ready` answering 200 on the restarted process.")
	p("")
	p("Around each kill (the per-second samples from the kill to 3 s after the restart; the load pauses for the check soon after the restart): requests answered (2xx or 4xx) and requests that got no answer or a 5xx. With several nodes the others keep answering.")
	p("")
	p("| # | at | node | recovery ms | answered around the kill | errors around the kill | error |\n|---|---|---|---|---|---|---|")
	for i, k := range res.kills {
		answered, errs := 0, 0
		for _, smp := range s.stats.samples {
			if smp.At > k.At && smp.At <= k.At+k.Recovery+3*time.Second {
				answered += smp.Requests - smp.Errors
				errs += smp.Errors
			}
		}
		p("| %d | %s | %s | %s | %d | %d | %s |", i+1, k.At.Round(time.Second), k.Node, ms(k.Recovery), answered, errs, k.Err)
	}
	p("")
	p("## Invariant checks")
	p("")
	p("After each restart and at the end, with the load paused (%s of the run in total): the facts of the ledger read back through the API — after a restart every fact set since the previous check plus a random sample of %d older ones, at the end every fact —", s.stats.paused.Round(time.Second), sampleOlder)
	p("")
	p("Facts: the last acknowledged state per object (account name, settings and retention; user email, license, telephony settings, PIN, registration status and number; phone number status, user and calling name; global settings; rooms, memberships and messages; bots, their tokens and events configuration; dial-outs; deleted objects must read as gone). Invariants, over the whole state: no email held twice in the AWS account; no deleted account listed or answering ListUsers (after a restart: the 200 latest deleted and 100 older ones; at the end all); no number associated with two users or two users showing one number; no bot event body received twice without a kill in between (a repeat after a kill is counted as redelivered after crash: delivery is at-least-once across a node crash, README and docs/behavior.md say so; a repeat whose outbox entry shows a failed attempt before the successful one is counted apart: the sender retried what may have arrived); every acknowledged write since the previous check has a success record with its request id in CloudTrail LookupEvents; and, at the end, every event the outbox shows Delivered reached the bot.")
	p("")
	p("| after | at | read through | facts checked | unreadable | lost | violations | audit checked | audit missing | took ms |\n|---|---|---|---|---|---|---|---|---|---|")
	for _, c := range res.checks {
		p("| %s | %s | %s | %d | %d | %d | %d | %d | %d | %s |", c.After, c.At.Round(time.Second), c.Via, c.Facts, c.Unreadable,
			c.Lost, c.Violations, c.AuditChecked, c.AuditMissed, ms(c.Took))
	}
	p("")
	if len(res.lost) > 0 {
		p("### Lost writes\n")
		var keys []string
		for k := range res.lost {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p("- %s", res.lost[k])
		}
		p("")
	}
	if len(res.violations) > 0 {
		p("### Violations\n")
		var vs []string
		for v := range res.violations {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		for _, v := range vs {
			p("- %s", v)
		}
		p("")
	}
	if len(res.notes) > 0 {
		p("### Notes\n")
		for _, n := range res.notes {
			p("- %s", n)
		}
		p("")
	}
	p("## Latency by operation")
	p("")
	p("All requests of the workers (checks excluded), in ms. Errors: no answer or 5xx (mostly while a node was down); refused: 4xx.")
	p("")
	p("| operation | requests | errors | refused | p50 | p99 | max |\n|---|---|---|---|---|---|---|")
	for _, r := range append(rows, total) {
		p("| %s | %d | %d | %d | %s | %s | %s |", r.Op, r.Requests, r.Errors, r.Refused, ms(r.P50), ms(r.P99), ms(r.Max))
	}
	p("")
	p("## Resources")
	p("")
	p("%s", resourceSummary(s))
	p("")
	p("![RSS, latency and errors over time, with the kills (red) and the checks (grey: load paused)](soak.png)")
	return os.WriteFile(filepath.Join(cfg.report, "report.md"), []byte(b.String()), 0o644)
}

func hostInfo() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s (%d CPUs)", h, numCPU())
}

// resourceSummary gives each node's RSS and open descriptors: first, max and last sample while up.
func resourceSummary(s *soak) string {
	var b strings.Builder
	b.WriteString("| node | RSS MiB first / max / last | open fds first / max / last |\n|---|---|---|\n")
	for i, n := range s.nodes {
		var first, last, maxRSS, ffd, lfd, maxFD int
		for _, smp := range s.stats.samples {
			if smp.RSSKiB[i] == 0 {
				continue
			}
			if first == 0 {
				first, ffd = smp.RSSKiB[i], smp.FDs[i]
			}
			last, lfd = smp.RSSKiB[i], smp.FDs[i]
			maxRSS, maxFD = max(maxRSS, smp.RSSKiB[i]), max(maxFD, smp.FDs[i])
		}
		fmt.Fprintf(&b, "| %s | %.1f / %.1f / %.1f | %d / %d / %d |\n", n.name, float64(first)/1024,
			float64(maxRSS)/1024, float64(last)/1024, ffd, maxFD, lfd)
	}
	return b.String()
}

var palette = []color.Color{color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255}, color.RGBA{R: 148, G: 103, B: 189, A: 255}}

// writePlot draws three panels sharing the time axis: RSS per node, p50/p99 latency, errors per second; every
// panel marks the kills with red vertical lines.
func writePlot(path string, s *soak, res *runResult) error {
	samples := s.stats.samples
	series := func(f func(sample) float64) plotter.XYs {
		xy := make(plotter.XYs, len(samples))
		for i, smp := range samples {
			xy[i].X, xy[i].Y = smp.At.Seconds(), f(smp)
		}
		return xy
	}
	panel := func(title, ylabel string, lines []plotter.XYs, names []string) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.Y.Label.Text = ylabel
		p.X.Label.Text = "seconds since start"
		p.Legend.Top = true
		ymax := 1.0
		for i, l := range lines {
			for _, pt := range l {
				ymax = max(ymax, pt.Y)
			}
			ln, err := plotter.NewLine(l)
			if err != nil {
				return nil, err
			}
			ln.Color = palette[i%len(palette)]
			p.Add(ln)
			p.Legend.Add(names[i], ln)
		}
		for i, c := range res.checks {
			x0, x1 := c.At.Seconds(), (c.At + c.Took).Seconds()
			poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: ymax}, {X: x0, Y: ymax}})
			if err != nil {
				return nil, err
			}
			poly.Color = color.Gray{Y: 225}
			poly.LineStyle.Width = 0
			p.Add(poly)
			if i == 0 {
				p.Legend.Add("check (load paused)", poly)
			}
		}
		for i, k := range res.kills {
			x := k.At.Seconds()
			ln, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: ymax}})
			if err != nil {
				return nil, err
			}
			ln.Color = color.RGBA{R: 214, G: 39, B: 40, A: 255}
			ln.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
			p.Add(ln)
			if i == 0 {
				p.Legend.Add("kill -9", ln)
			}
		}
		p.Y.Min = 0
		p.Add(plotter.NewGrid())
		return p, nil
	}
	var rss []plotter.XYs
	var names []string
	for i, n := range s.nodes {
		rss = append(rss, series(func(smp sample) float64 { return float64(smp.RSSKiB[i]) / 1024 }))
		names = append(names, n.name)
	}
	p1, err := panel(fmt.Sprintf("chimed soak: %s, kill -9 every %s", s.engine(), s.cfg.killEvery), "RSS MiB", rss, names)
	if err != nil {
		return err
	}
	p2, err := panel("latency per second", "ms", []plotter.XYs{
		series(func(smp sample) float64 { return float64(smp.P50.Microseconds()) / 1000 }),
		series(func(smp sample) float64 { return float64(smp.P99.Microseconds()) / 1000 })}, []string{"p50", "p99"})
	if err != nil {
		return err
	}
	p3, err := panel("requests and errors per second", "per second", []plotter.XYs{
		series(func(smp sample) float64 { return float64(smp.Requests) }),
		series(func(smp sample) float64 { return float64(smp.Errors) })}, []string{"requests", "errors (no answer, 5xx)"})
	if err != nil {
		return err
	}
	const w, h = 30 * vg.Centimeter, 36 * vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3,
		PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3, PadY: vg.Millimeter * 6}
	plots := [][]*plot.Plot{{p1}, {p2}, {p3}}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func numCPU() int { return runtime.NumCPU() }
