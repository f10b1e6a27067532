// Command chimed serves the Amazon Chime administration API (accounts and users) on a real store.
//
//	chimed serve [flags]               run the server (flags also read from CHIMED_* environment variables)
//	chimed credentials create|list|revoke   manage access keys on the store
//	chimed scim-token create|list|revoke    manage the SCIM tokens of Chime accounts (package scim)
//	chimed check --db URL              check the store for damage (exit status 1 when damaged)
//	chimed version                     print the version, VCS revision and time of the build
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) { // --help or -h: the usage was asked for and printed
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "chimed:", err)
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(ec.code)
		}
		os.Exit(2)
	}
}

// exitCode is an error that ends chimed with its own exit status (any other error exits with 2).
type exitCode struct {
	code int
	err  error
}

func (e exitCode) Error() string { return e.err.Error() }
func (e exitCode) Unwrap() error { return e.err }

const usage = `usage: chimed <command> [flags]

commands:
  serve         run the server
  credentials   create, list or revoke access keys (create|list|revoke)
  scim-token    create, list or revoke the SCIM tokens of a Chime account (create|list|revoke)
  check         check the store for damage (exit status 1 when damaged)
  version       print the module version, VCS revision and time chimed was built from

'chimed <command> --help' lists a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("say which command to run: serve, credentials or check")
	}
	switch args[0] {
	case "serve":
		m := NewMain(stdout, stderr)
		if err := m.ParseFlags(args[1:]); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "credentials":
		return runCredentials(ctx, args[1:], stdout, stderr)
	case "scim-token":
		return runSCIMToken(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		return runVersion(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// envFallback sets every flag of fs that has a CHIMED_<NAME> environment variable to its value, so that
// command-line flags (parsed afterwards) override the environment, which overrides the defaults.
func envFallback(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "CHIMED_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}
