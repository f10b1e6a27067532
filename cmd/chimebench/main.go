// Command chimebench measures chimed: it signs requests with SigV4 like a real client, drives a chosen mix of
// operations at a chosen concurrency, and prints throughput, latency percentiles and the server's CPU time per
// request, each workload also as a ratio to a reference server (a bare net/http handler answering a canned body
// of the same size) measured in the same run. Read workloads replay pools of pre-signed requests over raw
// keep-alive connections (presigned.go, rawload.go), so the generator costs little next to the server.
//
//	chimebench run --chimed-bin PATH [--users N] [--direct] [--workloads get,list,…] [-c 32] [-d 10s]
//	               [--load auto|presigned|sdk] [--db sqlite,postgres://…] [--nodes N] [--wrk] [--profile PREFIX]
//	               [--pin SERVER/LOAD] [--reference-work-us N] [--compare-bin PATH]
//	chimebench reference --listen ADDR --size N [--pprof ADDR] [--work-us N]  (started by run; the ceiling)
//	chimebench seed --db sqlite:PATH --users N        (fast direct seeding of one account)
//	chimebench attack --chimed-bin PATH [--scenarios slowbody,idle]   (reliability under attack; see attack.go)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdout); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "chimebench:", err)
		os.Exit(2)
	}
}

func dispatch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: chimebench run|reference|seed|attack [flags]")
	}
	switch args[0] {
	case "run":
		return runBench(ctx, args[1:], out)
	case "reference":
		return runReference(args[1:], out)
	case "seed":
		return runSeed(ctx, args[1:], out)
	case "attack":
		return runAttack(ctx, args[1:], out)
	case "attack-idle-helper": // started by attack
		return runIdleHelper(args[1:], out)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// runReference serves a canned JSON body of --size bytes on every route: the ceiling a Go HTTP server reaches
// on this machine with no work behind it.
func runReference(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	size := fs.Int("size", 400, "body size in bytes")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this address (run --profile profiles the reference too)")
	workUS := fs.Int("work-us", 0, "µs of CPU burnt on each request before answering (run --reference-work-us)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var spin spinner
	if *workUS > 0 {
		var err error
		if spin, err = calibrateSpinner(ownCPU); err != nil {
			return err
		}
	}
	if *pprofAddr != "" {
		pl, err := net.Listen("tcp", *pprofAddr)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		go http.Serve(pl, mux)
	}
	body := []byte(`{"Pad":"` + strings.Repeat("x", max(0, *size-10)) + `"}`)
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "listening %s\n", l.Addr())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if *workUS > 0 && spin.burn(*workUS) == 0 {
			panic("unreachable: burn never returns 0") // keeps the burn's result used
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	return http.Serve(l, h)
}
