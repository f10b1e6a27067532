package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

const credentialsUsage = `usage:
  chimed credentials create --aws-account-id ID [--read-only] [--db URL] [--master-key-file FILE]
  chimed credentials list [--db URL]
  chimed credentials revoke [--db URL] KEY_ID

create prints export AWS_ACCESS_KEY_ID=… / export AWS_SECRET_ACCESS_KEY=… lines, e.g.
  eval "$(chimed credentials create --aws-account-id 111122223333)"
--db defaults to sqlite:chimed-data/chimed.db (CHIMED_DB); the master key comes from CHIMED_MASTER_KEY, else
--master-key-file, else master.key next to the database, as for chimed serve.
`

// runCredentials is `chimed credentials …`. It works on the store while a server runs on it: the server keeps
// no credential cache, so changes take effect at once. list and revoke never create a database or a key.
func runCredentials(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, credentialsUsage)
		return errors.New("credentials: say what to do: create, list or revoke")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("chimed credentials "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sqlite:chimed-data/chimed.db", "store URL (CHIMED_DB)")
	var aws, keyFile *string
	var readOnly *bool
	switch cmd {
	case "create":
		aws = fs.String("aws-account-id", "", "12-digit AWS account id the key acts for")
		readOnly = fs.Bool("read-only", false, "allow Get*/List* operations only")
		keyFile = fs.String("master-key-file", "", "master key file (CHIMED_MASTER_KEY_FILE); CHIMED_MASTER_KEY wins")
	case "list", "revoke":
		fs.String("master-key-file", "", "ignored: list and revoke need no master key")
	case "help", "-h", "--help":
		fmt.Fprint(stdout, credentialsUsage)
		return nil
	default:
		fmt.Fprint(stderr, credentialsUsage)
		return fmt.Errorf("credentials: unknown subcommand %q (want create, list or revoke)", cmd)
	}
	if err := envFallback(fs); err != nil {
		return err
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case cmd == "revoke" && fs.NArg() != 1:
		fmt.Fprint(stderr, credentialsUsage)
		return errors.New("credentials revoke: give one KEY_ID, after the flags (chimed credentials list shows them)")
	case cmd != "revoke" && fs.NArg() > 0:
		fmt.Fprint(stderr, credentialsUsage)
		return fmt.Errorf("credentials %s takes no arguments, got %q (flags start with --)", cmd, fs.Args())
	case cmd == "create" && *aws == "":
		return errors.New("credentials create: --aws-account-id is required: the 12-digit AWS account id the key " +
			"acts for, e.g. --aws-account-id 111122223333")
	case cmd == "create" && chime.ValidateAwsAccountID(*aws) != nil:
		return fmt.Errorf("credentials create: --aws-account-id %q is not 12 digits (e.g. 111122223333)", *aws)
	}
	store, err := openStoreCLI(ctx, *db, cmd != "create")
	if err != nil {
		return err
	}
	defer store.Close()
	switch cmd {
	case "create":
		keyring, err := openKeyring(ctx, store, *db, *keyFile)
		if err != nil {
			return err
		}
		// The key and its audit record are written in one transaction.
		id, secret, err := chime.NewCredentials(store, keyring).CreateAudited(ctx, store, *aws, *readOnly)
		if err != nil {
			return fmt.Errorf("credentials create: %s", chime.ErrorMessage(err))
		}
		access := "read-write"
		if *readOnly {
			access = "read-only"
		}
		fmt.Fprintf(stderr, "chimed: created a %s key for AWS account %s (the secret is shown only now):\n", access, *aws)
		fmt.Fprintf(stdout, "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n", id, secret)
	case "list":
		list, err := chime.NewCredentials(store, nil).List(ctx)
		if err != nil {
			return fmt.Errorf("--db %s: cannot read the credentials: %v", sqlstore.Redact(*db), err)
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
		// The revocation and its audit record are written in one transaction.
		if err := chime.NewCredentials(store, nil).RevokeAudited(ctx, store, fs.Arg(0)); chime.ErrorCode(err) == chime.ENOTFOUND {
			return fmt.Errorf("credentials revoke: no active key %q in %s (chimed credentials list shows the keys)",
				fs.Arg(0), sqlstore.Redact(*db))
		} else if err != nil {
			return fmt.Errorf("--db %s: cannot revoke: %v", sqlstore.Redact(*db), err)
		}
		fmt.Fprintf(stdout, "revoked %s\n", fs.Arg(0))
	}
	return nil
}
