package sqlstore

import "log/slog"

// EmailKeyVersion is the migration version of the re-keying step (emailkey.go).
const EmailKeyVersion = emailKeyVersion

// SetRekeyLogger sends the re-keying step's log to l (tests).
func SetRekeyLogger(l *slog.Logger) { rekeyLogger.Store(l) }
