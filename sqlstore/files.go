package sqlstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// createPrivate makes the database file at path, when it does not exist yet, readable by its owner only: the
// directories it creates are 0700 and the (empty) database file 0600, whatever the umask. SQLite gives the WAL
// and shared-memory files it creates later the mode of the database file, so they are 0600 too. Existing
// files and directories keep their modes.
func createPrivate(path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // exists, or SQLite reports why it cannot be opened
	}
	dir := filepath.Dir(path)
	if err := mkdirPrivate(dir); err != nil {
		return fmt.Errorf("cannot create the data directory %s: %w", dir, unwrapPath(err))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // another process created it first
	} else if err != nil {
		return fmt.Errorf("cannot create the database file %s: %w", path, unwrapPath(err))
	}
	if err := f.Chmod(0o600); err != nil { // a umask cannot add bits, but a default ACL can
		f.Close()
		return err
	}
	return f.Close()
}

// mkdirPrivate creates dir and its missing parents with mode 0700.
func mkdirPrivate(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirPrivate(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); errors.Is(err, fs.ErrExist) {
		return nil // another process created it first
	} else if err != nil {
		return err
	}
	return os.Chmod(dir, 0o700) // in case the umask took the owner's bits
}

// unwrapPath returns the cause of a *fs.PathError (whose path the caller names itself).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
