package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/scim"
	"github.com/chimed/chimed/sqlstore"
)

const scimTokenUsage = `usage:
  chimed scim-token create --aws-account-id ID --account-id ACCOUNT_ID [--db URL]
  chimed scim-token list [--aws-account-id ID] [--account-id ACCOUNT_ID] [--db URL]
  chimed scim-token revoke [--db URL] TOKEN_ID

A SCIM token lets an identity provider (Okta, Entra ID, any SCIM 2.0 client) provision the users of one Chime
account at <server>` + scim.PathPrefix + `accounts/ACCOUNT_ID/ with "Authorization: Bearer <token>".
create prints the token on standard output, the only time it is shown (only its SHA-256 is stored); list shows
ids and prefixes, never tokens; revoke takes effect at once on every server of the database.
--db defaults to sqlite:chimed-data/chimed.db (CHIMED_DB).
`

// runSCIMToken is `chimed scim-token …`. Like `chimed credentials`, it works on the store while servers run on
// it, and writes each change with its audit record in one transaction. It never creates a database.
func runSCIMToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, scimTokenUsage)
		return errors.New("scim-token: say what to do: create, list or revoke")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("chimed scim-token "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sqlite:chimed-data/chimed.db", "store URL (CHIMED_DB)")
	var aws, account *string
	switch cmd {
	case "create", "list":
		aws = fs.String("aws-account-id", "", "12-digit AWS account id of the Chime account")
		account = fs.String("account-id", "", "the Chime account id whose users the token provisions")
	case "revoke":
	case "help", "-h", "--help":
		fmt.Fprint(stdout, scimTokenUsage)
		return nil
	default:
		fmt.Fprint(stderr, scimTokenUsage)
		return fmt.Errorf("scim-token: unknown subcommand %q (want create, list or revoke)", cmd)
	}
	if err := envFallback(fs); err != nil {
		return err
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case cmd == "revoke" && fs.NArg() != 1:
		fmt.Fprint(stderr, scimTokenUsage)
		return errors.New("scim-token revoke: give one TOKEN_ID, after the flags (chimed scim-token list shows them)")
	case cmd != "revoke" && fs.NArg() > 0:
		fmt.Fprint(stderr, scimTokenUsage)
		return fmt.Errorf("scim-token %s takes no arguments, got %q (flags start with --)", cmd, fs.Args())
	case cmd == "create" && (*aws == "" || *account == ""):
		return errors.New("scim-token create: --aws-account-id and --account-id are required: the Chime account " +
			"whose users the token provisions, e.g. --aws-account-id 111122223333 --account-id <AccountId>")
	case aws != nil && *aws != "" && chime.ValidateAwsAccountID(*aws) != nil:
		return fmt.Errorf("scim-token %s: --aws-account-id %q is not 12 digits (e.g. 111122223333)", cmd, *aws)
	}
	store, err := openStoreCLI(ctx, *db, true)
	if err != nil {
		return err
	}
	defer store.Close()
	switch cmd {
	case "create":
		t, token, err := chime.CreateSCIMToken(ctx, store, *aws, *account)
		if chime.ErrorCode(err) == chime.ENOTFOUND || chime.ErrorCode(err) == chime.EINVALID {
			return fmt.Errorf("scim-token create: AWS account %s has no Chime account %q in %s (%s)", *aws, *account,
				sqlstore.Redact(*db), chime.ErrorMessage(err))
		} else if err != nil {
			return fmt.Errorf("--db %s: cannot create the token: %v", sqlstore.Redact(*db), err)
		}
		fmt.Fprintf(stderr, "chimed: created SCIM token %s for Chime account %s (the token is shown only now); "+
			"its service is at <server>%saccounts/%s/\n", t.ID, t.AccountID, scim.PathPrefix, t.AccountID)
		fmt.Fprintln(stdout, token)
	case "list":
		list, err := chime.ListSCIMTokens(ctx, store, *aws, *account)
		if err != nil {
			return fmt.Errorf("--db %s: cannot read the SCIM tokens: %v", sqlstore.Redact(*db), err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TOKEN_ID\tPREFIX\tAWS_ACCOUNT_ID\tACCOUNT_ID\tCREATED\tSTATUS")
		for _, t := range list {
			status := "active"
			if !t.RevokedAt.IsZero() {
				status = "revoked " + t.RevokedAt.Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\t%s\n", t.ID, t.Prefix, t.AwsAccountID, t.AccountID,
				t.CreatedAt.Format("2006-01-02T15:04:05Z"), status)
		}
		return tw.Flush()
	case "revoke":
		if err := chime.RevokeSCIMToken(ctx, store, fs.Arg(0)); chime.ErrorCode(err) == chime.ENOTFOUND {
			return fmt.Errorf("scim-token revoke: no active SCIM token %q in %s (chimed scim-token list shows them)",
				fs.Arg(0), sqlstore.Redact(*db))
		} else if err != nil {
			return fmt.Errorf("--db %s: cannot revoke: %v", sqlstore.Redact(*db), err)
		}
		fmt.Fprintf(stdout, "revoked %s\n", fs.Arg(0))
	}
	return nil
}
