package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// dataDir is where files that belong next to the store live (the master key file): the directory of a
// sqlite:PATH store, or chimed-data otherwise.
func dataDir(db string) string {
	if p, ok := strings.CutPrefix(db, "sqlite:"); ok && p != ":memory:" {
		return filepath.Dir(p)
	}
	return "chimed-data"
}

// loadKeyring returns the keyring that seals credential secrets: derived from CHIMED_MASTER_KEY when set
// (at least 32 characters), else from a random key kept in a 0600 file (keyFile, or master.key in the data
// directory), created on first start. For an in-memory store the key is random and lives only in memory.
// source names where the key came from, for messages (never the key itself).
func loadKeyring(db, keyFile string) (k *chime.Keyring, source string, err error) {
	if v, ok := os.LookupEnv("CHIMED_MASTER_KEY"); ok {
		k, err := chime.NewKeyring([]byte(v))
		if err != nil {
			return nil, "", fmt.Errorf("CHIMED_MASTER_KEY: %w", err)
		}
		return k, "CHIMED_MASTER_KEY", nil
	}
	if keyFile == "" && strings.HasPrefix(db, "postgres") {
		// A key file created per node would leave every node unable to read the others' credentials.
		return nil, "", errors.New("with a PostgreSQL store, set CHIMED_MASTER_KEY (the same on every node) or " +
			"--master-key-file pointing to one shared key")
	}
	if keyFile == "" && db == "sqlite::memory:" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, "", err
		}
		k, err := chime.NewKeyring([]byte(hex.EncodeToString(b)))
		return k, "the random master key of this in-memory store", err
	}
	if keyFile == "" {
		keyFile = filepath.Join(dataDir(db), "master.key")
	}
	source = "the master key in " + keyFile
	master, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		if master, err = createKeyFile(keyFile); err != nil {
			return nil, "", fmt.Errorf("cannot create the master key file %s: %v (set --master-key-file or "+
				"CHIMED_MASTER_KEY)", keyFile, pathCause(err))
		}
	} else if err != nil {
		return nil, "", fmt.Errorf("cannot read the master key file %s: %v", keyFile, pathCause(err))
	}
	k, err = chime.NewKeyring([]byte(strings.TrimSpace(string(master))))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", source, err)
	}
	return k, source, nil
}

// openKeyring loads the keyring (loadKeyring) and checks it against the key-check value kept in the store
// (chime.CheckMasterKey), so that chimed never runs with a master key that cannot read the stored secrets.
func openKeyring(ctx context.Context, store *sqlstore.DB, db, keyFile string) (*chime.Keyring, error) {
	k, source, err := loadKeyring(db, keyFile)
	if err != nil {
		return nil, err
	}
	if err := chime.CheckMasterKey(ctx, store, store, k); errors.Is(err, chime.ErrWrongMasterKey) {
		return nil, fmt.Errorf("%s is not the master key the database %s was created with (the database's key "+
			"check, or its stored credentials, say so): give chimed that key, in CHIMED_MASTER_KEY or "+
			"--master-key-file", source, sqlstore.Redact(db))
	} else if err != nil {
		return nil, fmt.Errorf("checking the master key against the database: %w", err)
	}
	return k, nil
}

// pathCause returns the cause of a *fs.PathError (whose path the message names already).
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(b) + "\n")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process created it first
		return os.ReadFile(path)
	} else if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// bootstrap applies the credential of CHIMED_ACCESS_KEY_ID / CHIMED_SECRET_ACCESS_KEY / CHIMED_AWS_ACCOUNT_ID,
// or, with none configured and an empty credential store, generates one and prints it once to w.
func bootstrap(ctx context.Context, creds *chime.Credentials, w io.Writer) error {
	id, secret := os.Getenv("CHIMED_ACCESS_KEY_ID"), os.Getenv("CHIMED_SECRET_ACCESS_KEY")
	aws := os.Getenv("CHIMED_AWS_ACCOUNT_ID")
	if aws == "" {
		aws = "111122223333"
	}
	if id != "" || secret != "" {
		if id == "" || secret == "" {
			return errors.New("set both CHIMED_ACCESS_KEY_ID and CHIMED_SECRET_ACCESS_KEY, or neither")
		}
		if err := creds.Put(ctx, id, secret, aws, false); err != nil {
			return fmt.Errorf("bootstrap credential: %s", chime.ErrorMessage(err))
		}
		return nil
	}
	empty, err := creds.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	id, secret, err = creds.Create(ctx, aws, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "chimed: no credentials configured; created one for AWS account %s (shown only now):\n"+
		"export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n", aws, id, secret)
	return nil
}
