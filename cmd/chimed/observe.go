package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chimed/chimed/metrics"
	"github.com/chimed/chimed/sqlstore"
)

// newLogHandler returns the log handler of --log-format: JSON objects, one a line, or slog's text format
// (key=value) for people at a terminal.
func newLogHandler(format string, w io.Writer, level slog.Level) slog.Handler {
	o := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.NewTextHandler(w, o)
	}
	return slog.NewJSONHandler(w, o)
}

// logStore logs what the store opened is and the schema it migrated to.
func (m *Main) logStore() {
	v, applied := m.store.SchemaVersion()
	m.logger.Info("store opened", "engine", m.store.Engine(), "db", sqlstore.Redact(m.DB))
	m.logger.Info("schema migrated", "schema_version", v, "migrations_applied", applied)
}

// newMetrics creates the server's metrics on a registry of its own: requests (the HTTP layer), the store, the
// service's deliveries and the listener's connections.
func (m *Main) newMetrics() *metrics.Metrics {
	mx := metrics.New(prometheus.NewRegistry())
	mx.RegisterStore(m.store)
	mx.RegisterService(m.svc)
	mx.RegisterConnections(m.conns.Stats)
	return mx
}

// startMetrics serves GET /metrics on --metrics-listen (the API listener then answers /metrics with 404).
func (m *Main) startMetrics(mx *metrics.Metrics) error {
	l, err := net.Listen("tcp", m.MetricsListen)
	if err != nil {
		return fmt.Errorf("--metrics-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mx.Handler())
	m.metricsSrv = &metricsServer{Server: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		addr: l.Addr().String()}
	go m.metricsSrv.Serve(l)
	m.logger.Info("metrics serving", "addr", l.Addr().String(), "path", "/metrics")
	return nil
}

// MetricsAddr is the address --metrics-listen bound ("" when metrics are on the API listener).
func (m *Main) MetricsAddr() string {
	if m.metricsSrv == nil {
		return ""
	}
	return m.metricsSrv.addr
}

// metricsServer is the --metrics-listen server.
type metricsServer struct {
	*http.Server
	addr string
}
