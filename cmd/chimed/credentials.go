package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	chime "github.com/chimed/chimed"
)

const credentialsUsage = `usage:
  chimed credentials create --aws-account-id ID [--read-only] [--db URL]
  chimed credentials list [--db URL]
  chimed credentials revoke [--db URL] KEY_ID
`

// runCredentials is `chimed credentials …`. It works on the store while a server runs on it: the server keeps
// no credential cache, so changes take effect at once.
func runCredentials(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, credentialsUsage)
		return errors.New("credentials: no subcommand given")
	}
	fs := flag.NewFlagSet("chimed credentials "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sqlite:chimed-data/chimed.db", "store URL (CHIMED_DB)")
	keyFile := fs.String("master-key-file", "", "master key file (CHIMED_MASTER_KEY_FILE); CHIMED_MASTER_KEY wins")
	var aws *string
	var readOnly *bool
	switch args[0] {
	case "create":
		aws = fs.String("aws-account-id", "", "12-digit AWS account id the key acts for")
		readOnly = fs.Bool("read-only", false, "allow Get*/List* operations only")
	case "list", "revoke":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, credentialsUsage)
		return nil
	default:
		fmt.Fprint(stderr, credentialsUsage)
		return fmt.Errorf("credentials: unknown subcommand %q", args[0])
	}
	if err := envFallback(fs); err != nil {
		return err
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	wantArgs := 0
	if args[0] == "revoke" {
		wantArgs = 1
	}
	if fs.NArg() != wantArgs {
		fmt.Fprint(stderr, credentialsUsage)
		return fmt.Errorf("credentials %s: wrong arguments %v (flags go before the key id)", args[0], fs.Args())
	}
	store, creds, err := openCredentials(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer store.Close()
	switch args[0] {
	case "create":
		id, secret, err := creds.Create(ctx, *aws, *readOnly)
		if err != nil {
			return errors.New(chime.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", id, secret)
	case "list":
		list, err := creds.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCESS_KEY_ID\tAWS_ACCOUNT_ID\tACCESS\tCREATED\tSTATUS")
		for _, c := range list {
			access, status := "read-write", "active"
			if c.ReadOnly {
				access = "read-only"
			}
			if !c.RevokedAt.IsZero() {
				status = "revoked " + c.RevokedAt.Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.AccessKeyID, c.AwsAccountID, access,
				c.CreatedAt.Format("2006-01-02T15:04:05Z"), status)
		}
		return tw.Flush()
	case "revoke":
		if err := creds.Revoke(ctx, fs.Arg(0)); err != nil {
			if chime.ErrorCode(err) == chime.ENOTFOUND {
				return fmt.Errorf("credentials revoke: no active key %q", fs.Arg(0))
			}
			return err
		}
		fmt.Fprintf(stdout, "revoked %s\n", fs.Arg(0))
	}
	return nil
}
