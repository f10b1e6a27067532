package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/botdelivery"
	chimehttp "github.com/chimed/chimed/http"
	"github.com/chimed/chimed/sigv4"
	"github.com/chimed/chimed/smtp"
	"github.com/chimed/chimed/sqlstore"
)

// Main is the serve command: its configuration and the running server.
type Main struct {
	Listen              string
	DB                  string
	DBOptions           sqlstore.Options // --db-max-conns, --db-conn-timeout, …, --sqlite-synchronous, --cache-users
	PprofAddr           string
	MemoryLimitMB       int
	GCPercent           int
	Auth                string
	LogLevel            string
	LogFormat           string // --log-format: json or text
	MetricsListen       string // --metrics-listen: serve /metrics there instead of on the API listener
	ShutdownTimeout     time.Duration
	MasterKeyFile       string
	ClockSkew           time.Duration
	Regions             string
	RateLimit           float64
	RateBurst           int
	ReadHeaderTime      time.Duration
	ReadTime            time.Duration
	IdleTime            time.Duration
	MaxConnections      int
	MaxBodyMemoryMB     int
	SMTPURL             string
	SMTPTLS             string
	SMTPFrom            string
	PublicURL           string
	InviteTTL           time.Duration
	SignInTTL           time.Duration
	SessionTTL          time.Duration
	MailTimeout         time.Duration
	CallingNameInterval time.Duration
	AuditRetention      time.Duration // --audit-retention (§9.9); 0 keeps records forever
	OrderDelay          time.Duration // D23
	CallingNameDelay    time.Duration // D27
	DeletionQueue       time.Duration // D25
	NumberLimit         int           // D24
	AllowClock          bool          // --allow-clock-control: PUT /_chimed/clock may move the server clock (§9.5)
	BotVerification     bool          // --bot-endpoint-verification (§10.5)
	BotTimeout          time.Duration // --bot-delivery-timeout (§10.4)
	BotCAFile           string        // --bot-ca-file
	WebhookRateLimit    float64       // --webhook-rate-limit: requests per second per incoming URL (§9.7)

	stdout, stderr io.Writer
	logger         *slog.Logger
	logw           *logWriter
	pprof          *http.Server
	metricsSrv     *metricsServer // --metrics-listen (observe.go)
	store          *sqlstore.DB
	svc            *chime.Service
	listener       net.Listener
	conns          *connLimiter // the listener's connection cap (connlimit.go)
	server         *http.Server
	served         chan error
	botStop        context.CancelFunc // stops the bot event delivery worker
	botDone        chan struct{}      // closed when it has stopped
}

// NewMain returns a Main with default settings.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr}
}

// ParseFlags reads the flags of `chimed serve`, with CHIMED_* environment variables as defaults.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("chimed serve", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.StringVar(&m.Listen, "listen", "127.0.0.1:24463", "address to listen on (CHIMED_LISTEN)")
	fs.StringVar(&m.DB, "db", "sqlite:chimed-data/chimed.db",
		"store: sqlite:PATH, sqlite::memory: or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?PARAMS] (CHIMED_DB)")
	fs.IntVar(&m.DBOptions.MaxConns, "db-max-conns", 0,
		"most database connections: the PostgreSQL pool, or SQLite readers; 0 = default (CHIMED_DB_MAX_CONNS)")
	fs.DurationVar(&m.DBOptions.ConnTimeout, "db-conn-timeout", 0,
		"PostgreSQL: timeout for establishing a connection; 0 = none (CHIMED_DB_CONN_TIMEOUT)")
	fs.DurationVar(&m.DBOptions.MaxConnLifetime, "db-max-conn-lifetime", 0,
		"PostgreSQL: a connection is closed after this age; 0 = 1h (CHIMED_DB_MAX_CONN_LIFETIME)")
	fs.DurationVar(&m.DBOptions.MaxConnIdleTime, "db-max-conn-idle-time", 0,
		"PostgreSQL: an idle connection is closed after this time; 0 = 30m (CHIMED_DB_MAX_CONN_IDLE_TIME)")
	fs.StringVar(&m.DBOptions.Synchronous, "sqlite-synchronous", "FULL",
		"SQLite synchronous pragma: FULL (a commit survives power loss), NORMAL or OFF — only to measure what "+
			"durability costs (CHIMED_SQLITE_SYNCHRONOUS)")
	fs.IntVar(&m.DBOptions.CacheUsers, "cache-users", 0,
		"read cache (SQLite, and PostgreSQL nodes through LISTEN/NOTIFY): most users kept; 0 = 100000, -1 disables (CHIMED_CACHE_USERS)")
	fs.IntVar(&m.MemoryLimitMB, "memory-limit-mb", 64,
		"soft limit of the Go heap in MiB (the GC works harder near it); 0 = none; GOMEMLIMIT wins (CHIMED_MEMORY_LIMIT_MB)")
	fs.IntVar(&m.GCPercent, "gc-percent", 1000,
		"under a memory limit, the GC runs when the heap has grown by this percentage since the last one or "+
			"near the limit, whichever comes first; without a limit Go's default (100) stays; GOGC wins (CHIMED_GC_PERCENT)")
	fs.StringVar(&m.PprofAddr, "pprof", "", "serve net/http/pprof on this address, e.g. 127.0.0.1:6060 (CHIMED_PPROF)")
	fs.StringVar(&m.Auth, "auth", "sigv4",
		"authentication: sigv4 (signatures checked against stored credentials) or any (emulator) (CHIMED_AUTH)")
	fs.StringVar(&m.MasterKeyFile, "master-key-file", "",
		"file holding the key that seals credential secrets; default DATA_DIR/master.key; CHIMED_MASTER_KEY wins")
	fs.DurationVar(&m.ClockSkew, "clock-skew", 15*time.Minute, "accepted signing-time skew (CHIMED_CLOCK_SKEW)")
	fs.StringVar(&m.Regions, "regions", "",
		"comma-separated allowed signing regions, in both auth modes; empty = any (CHIMED_REGIONS)")
	fs.Float64Var(&m.RateLimit, "rate-limit", 1000, "requests per second per credential; 0 disables (CHIMED_RATE_LIMIT)")
	fs.IntVar(&m.RateBurst, "rate-burst", 2000, "burst per credential (CHIMED_RATE_BURST)")
	fs.DurationVar(&m.ReadHeaderTime, "read-header-timeout", 10*time.Second,
		"time a client gets to send its request headers (CHIMED_READ_HEADER_TIMEOUT)")
	fs.DurationVar(&m.ReadTime, "read-timeout", 30*time.Second, "time a client gets to send a whole request (CHIMED_READ_TIMEOUT)")
	fs.DurationVar(&m.IdleTime, "idle-timeout", 120*time.Second, "keep-alive idle timeout (CHIMED_IDLE_TIMEOUT)")
	fs.IntVar(&m.MaxConnections, "max-connections", 0,
		"most client connections open at once; at the cap the longest-idle keep-alive connection is closed for a "+
			"new one; 0 = min(4096, open-file limit - 128) (CHIMED_MAX_CONNECTIONS)")
	fs.IntVar(&m.MaxBodyMemoryMB, "max-body-memory-mb", 64,
		"MiB of request bodies held at once, before authentication too; beyond it a request with a body waits "+
			"up to 2s, then gets 503 (CHIMED_MAX_BODY_MEMORY_MB)")
	fs.StringVar(&m.LogLevel, "log-level", "info", "log level: debug, info, warn, error (CHIMED_LOG_LEVEL)")
	fs.StringVar(&m.LogFormat, "log-format", "json",
		"log format on stderr: json (one object a line) or text (key=value, for people) (CHIMED_LOG_FORMAT)")
	fs.StringVar(&m.MetricsListen, "metrics-listen", "",
		"serve Prometheus metrics (GET /metrics) on this address instead of on the API listener (CHIMED_METRICS_LISTEN)")
	fs.DurationVar(&m.ShutdownTimeout, "shutdown-timeout", 10*time.Second,
		"how long in-flight requests may take on shutdown (CHIMED_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&m.SMTPURL, "smtp-url", "",
		"SMTP server for invitations and sign-in links: smtp://user:pass@host:port or smtps://…; empty = send nothing (CHIMED_SMTP_URL)")
	fs.StringVar(&m.SMTPTLS, "smtp-tls", smtp.TLSMandatory,
		"SMTP STARTTLS: mandatory, opportunistic or none (CHIMED_SMTP_TLS)")
	fs.StringVar(&m.SMTPFrom, "smtp-from", "", "sender address; default chimed@<host of --public-url> (CHIMED_SMTP_FROM)")
	fs.StringVar(&m.PublicURL, "public-url", "",
		"base URL of the links in emails, as users' browsers reach chimed; default http://<listen address> (CHIMED_PUBLIC_URL)")
	fs.DurationVar(&m.InviteTTL, "invite-ttl", chime.DefaultInviteTTL, "lifetime of an invitation link (CHIMED_INVITE_TTL)")
	fs.DurationVar(&m.SignInTTL, "signin-ttl", chime.DefaultSignInTTL, "lifetime of a sign-in link (CHIMED_SIGNIN_TTL)")
	fs.DurationVar(&m.SessionTTL, "session-ttl", chime.DefaultSessionTTL, "lifetime of a user session (CHIMED_SESSION_TTL)")
	fs.DurationVar(&m.MailTimeout, "mail-timeout", chime.DefaultMailTimeout,
		"bound on the mail sent by one request; later mail is Failed (CHIMED_MAIL_TIMEOUT)")
	fs.DurationVar(&m.CallingNameInterval, "calling-name-interval", chime.DefaultCallingNameInterval,
		"least time between two successful UpdatePhoneNumberSettings of an AWS account; 0 disables (CHIMED_CALLING_NAME_INTERVAL)")
	fs.DurationVar(&m.AuditRetention, "audit-retention", chime.DefaultAuditRetention,
		"how long audit records (CloudTrail LookupEvents) are kept; 0 keeps them forever (CHIMED_AUDIT_RETENTION)")
	fs.DurationVar(&m.OrderDelay, "order-delay", 0,
		"time a phone number order stays Processing before its numbers are acquired (CHIMED_ORDER_DELAY)")
	fs.DurationVar(&m.CallingNameDelay, "calling-name-delay", 0,
		"time a number's new calling name stays UpdateInProgress (CHIMED_CALLING_NAME_DELAY)")
	fs.DurationVar(&m.DeletionQueue, "phone-deletion-queue", chime.DefaultDeletionQueue,
		"time a deleted phone number can be restored before it is deleted for good (CHIMED_PHONE_DELETION_QUEUE)")
	fs.IntVar(&m.NumberLimit, "phone-number-limit", chime.DefaultNumberLimit,
		"phone numbers an AWS account's inventory may hold (CHIMED_PHONE_NUMBER_LIMIT)")
	fs.BoolVar(&m.AllowClock, "allow-clock-control", false,
		"let PUT /_chimed/clock move the server clock forward, for tests of time-based behaviour (CHIMED_ALLOW_CLOCK_CONTROL)")
	fs.BoolVar(&m.BotVerification, "bot-endpoint-verification", true,
		"challenge bot endpoints on PutEventsConfiguration (CHIMED_BOT_ENDPOINT_VERIFICATION)")
	fs.DurationVar(&m.BotTimeout, "bot-delivery-timeout", chime.DefaultBotDeliveryTimeout,
		"time one bot event delivery attempt may take (CHIMED_BOT_DELIVERY_TIMEOUT)")
	fs.StringVar(&m.BotCAFile, "bot-ca-file", "",
		"PEM file of extra root certificates for https:// bot endpoints (CHIMED_BOT_CA_FILE)")
	fs.Float64Var(&m.WebhookRateLimit, "webhook-rate-limit", 0,
		"requests per second per incoming webhook or bot reply URL; 0 disables (CHIMED_WEBHOOK_RATE_LIMIT)")
	if err := envFallback(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if m.CallingNameInterval < 0 {
		return fmt.Errorf("--calling-name-interval must not be negative (0 disables it)")
	}
	if m.OrderDelay < 0 || m.CallingNameDelay < 0 {
		return fmt.Errorf("--order-delay and --calling-name-delay must not be negative")
	}
	if m.DeletionQueue <= 0 {
		return fmt.Errorf("--phone-deletion-queue must be positive")
	}
	if m.NumberLimit < 1 {
		return fmt.Errorf("--phone-number-limit must be at least 1")
	}
	if m.WebhookRateLimit < 0 {
		return fmt.Errorf("--webhook-rate-limit must not be negative (0 disables it)")
	}
	if m.BotTimeout <= 0 {
		return fmt.Errorf("--bot-delivery-timeout must be positive")
	}
	if m.LogFormat != "json" && m.LogFormat != "text" {
		return fmt.Errorf("--log-format: unknown format %q (want json or text)", m.LogFormat)
	}
	return nil
}

// Run opens the store, listens (synchronously, so a busy port fails here) and serves in the background.
func (m *Main) Run(ctx context.Context) (err error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(m.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	// Logs (one access-log line per request) are buffered and flushed every 100 ms and on Close.
	m.logw = newLogWriter(m.stderr, 100*time.Millisecond)
	m.logger = slog.New(newLogHandler(m.LogFormat, m.logw, level)) // observe.go
	m.applyMemorySettings()                                        // memory.go

	if m.Auth != "any" && m.Auth != "sigv4" {
		return fmt.Errorf("--auth: unknown mode %q (want sigv4 or any)", m.Auth)
	}
	start := time.Now()
	if m.store, err = sqlstore.OpenWith(ctx, m.DB, m.DBOptions); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	m.logStore()
	defer func() {
		if err != nil {
			m.store.Close()
		}
	}()
	// Listen before building the service: the default public URL names the address actually bound.
	if m.listener, err = net.Listen("tcp", m.Listen); err != nil {
		return err
	}
	// Coarse deadlines (deadlines.go): the server's timeouts, enforced by a watchdog instead of timers re-armed
	// several times a request.
	m.listener = newDeadlineListener(m.listener, deadlineTick)
	m.conns = m.limitConnections(m.listener) // raises the open-file limit; --max-connections
	m.listener = m.conns
	defer func() {
		if err != nil {
			m.listener.Close()
		}
	}()
	// The keyring seals credential secrets (sigv4) and the links kept in the outbox (both modes); a master key
	// other than the one the store was created with is refused here.
	keyring, err := openKeyring(ctx, m.store, m.DB, m.MasterKeyFile)
	if err != nil {
		return err
	}
	life, err := m.lifecycleOptions(keyring)
	if err != nil {
		return err
	}
	if life.BotSender, err = botdelivery.New(botdelivery.Config{CAFile: m.BotCAFile, Timeout: m.BotTimeout}); err != nil {
		return fmt.Errorf("--bot-ca-file: %w", err)
	}
	life.BotDeliveryTimeout, life.NoBotEndpointVerification = m.BotTimeout, !m.BotVerification
	svc, err := chime.NewService(ctx, m.store, life)
	if err != nil {
		return err
	}
	m.svc = svc
	// Bot events (§10): the worker delivers what the outbox holds, including what a previous run left.
	botCtx, botStop := context.WithCancel(context.Background())
	m.botStop, m.botDone = botStop, make(chan struct{})
	go func() { defer close(m.botDone); svc.RunBotDelivery(botCtx) }()
	defer func() {
		if err != nil {
			m.stopBots()
		}
	}()
	// --regions: names separated by commas, spaces around them tolerated; honored in both auth modes.
	regions, err := sigv4.ParseRegions(m.Regions)
	if err != nil {
		return fmt.Errorf("--regions: %w", err)
	}
	var auth chimehttp.Authenticator = chimehttp.AnyAuth{Regions: regions}
	if m.Auth == "sigv4" {
		creds := chime.NewCredentials(m.store, keyring)
		if err := bootstrap(ctx, creds, m.stderr); err != nil {
			return err
		}
		auth = chimehttp.SigV4Auth{Verifier: sigv4.New(sigv4.Options{ClockSkew: m.ClockSkew, Regions: regions}),
			Credentials: creds}
	}
	mx := m.newMetrics() // observe.go
	handler := chimehttp.NewServer(chimehttp.Options{Service: svc, Authenticator: auth, Logger: m.logger,
		RateLimiter: chimehttp.NewRateLimiter(m.RateLimit, m.RateBurst), MaxBodyMemory: int64(m.MaxBodyMemoryMB) << 20,
		AllowClockControl: m.AllowClock, WebhookRateLimit: m.WebhookRateLimit,
		Metrics: mx, ServeMetrics: m.MetricsListen == ""})
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: m.ReadHeaderTime,
		ReadTimeout:       m.ReadTime,
		WriteTimeout:      m.ReadTime + 30*time.Second,
		IdleTimeout:       m.IdleTime,
		ConnState:         m.conns.ConnState,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.listener) }()
	m.logger.Info("chimed serving", "addr", m.listener.Addr().String(), "db", sqlstore.Redact(m.DB), "auth", m.Auth,
		"public_url", svc.PublicURL(), "smtp", smtp.Redact(m.SMTPURL), "startup_ms", time.Since(start).Milliseconds())
	if m.PprofAddr != "" {
		if err := m.startPprof(); err != nil {
			return err
		}
	}
	if m.MetricsListen != "" {
		if err := m.startMetrics(mx); err != nil {
			return err
		}
	}
	m.logw.Flush()
	return nil
}

// startPprof serves the profiling endpoints on their own listener (never on the API address).
func (m *Main) startPprof() error {
	l, err := net.Listen("tcp", m.PprofAddr)
	if err != nil {
		return fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	m.pprof = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go m.pprof.Serve(l)
	m.logger.Info("pprof serving", "addr", l.Addr().String())
	return nil
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Close stops accepting connections, lets in-flight requests finish (bounded by ShutdownTimeout) and closes
// the store.
func (m *Main) Close() error {
	var err error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.ShutdownTimeout)
		defer cancel()
		if e := m.server.Shutdown(ctx); e != nil {
			err = errors.Join(err, e)
		}
		if e := <-m.served; e != nil && !errors.Is(e, http.ErrServerClosed) {
			err = errors.Join(err, e)
		}
	}
	// Deliveries cut short stay Pending for the next start.
	m.stopBots()
	if m.svc != nil { // mail still being sent in the background, bounded by the mail timeout
		ctx, cancel := context.WithTimeout(context.Background(), m.MailTimeout+10*time.Second)
		defer cancel()
		if e := m.svc.Drain(ctx); e != nil {
			err = errors.Join(err, fmt.Errorf("background mail: %w", e))
		}
	}
	if m.store != nil {
		err = errors.Join(err, m.store.Close())
	}
	if m.pprof != nil {
		m.pprof.Close()
	}
	if m.metricsSrv != nil {
		m.metricsSrv.Close()
	}
	if m.logger != nil {
		m.logger.Info("chimed stopped")
	}
	if m.logw != nil {
		m.logw.Close()
	}
	return err
}

// stopBots stops the bot event delivery worker and waits for it.
func (m *Main) stopBots() {
	if m.botStop != nil {
		m.botStop()
		<-m.botDone
		m.botStop = nil
	}
}

// lifecycleOptions turns the mail and link flags into service options: the public URL (default: http:// and
// the bound address), and a Mailer when --smtp-url is set.
func (m *Main) lifecycleOptions(keyring *chime.Keyring) (chime.ServiceOptions, error) {
	o := chime.ServiceOptions{Keyring: keyring, Logger: m.logger, InviteTTL: m.InviteTTL, SignInTTL: m.SignInTTL,
		SessionTTL: m.SessionTTL, MailTimeout: m.MailTimeout, CallingNameInterval: m.CallingNameInterval,
		OrderDelay: m.OrderDelay, CallingNameDelay: m.CallingNameDelay, DeletionQueue: m.DeletionQueue,
		NumberLimit: m.NumberLimit}
	if m.CallingNameInterval == 0 {
		o.CallingNameInterval = -1 // D28: 0 disables the rule
	}
	o.AuditRetention = m.AuditRetention
	if m.AuditRetention == 0 {
		o.AuditRetention = -1 // §9.9: 0 keeps the records forever
	}
	public := m.PublicURL
	if public == "" {
		addr := m.listener.Addr().(*net.TCPAddr)
		host := addr.IP.String()
		if addr.IP.IsUnspecified() {
			host = "localhost"
		}
		public = "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
	}
	var err error
	if o.PublicURL, err = chime.NormalizePublicURL(public); err != nil {
		return o, fmt.Errorf("--public-url: %w", err)
	}
	switch m.SMTPTLS {
	case smtp.TLSMandatory, smtp.TLSOpportunistic, smtp.TLSNone:
	default:
		return o, fmt.Errorf("--smtp-tls: unknown mode %q (want mandatory, opportunistic or none)", m.SMTPTLS)
	}
	if m.SMTPURL == "" {
		if m.SMTPFrom != "" {
			m.logger.Warn("--smtp-from is set but --smtp-url is not: no mail will be sent")
		}
		return o, nil
	}
	from := m.SMTPFrom
	if from == "" {
		from = smtp.DefaultFrom(o.PublicURL)
	}
	mailer, err := smtp.New(smtp.Config{URL: m.SMTPURL, TLS: m.SMTPTLS, From: from, Timeout: m.MailTimeout})
	if err != nil {
		return o, fmt.Errorf("--smtp-url/--smtp-tls/--smtp-from: %w", err)
	}
	o.Mailer = mailer
	return o, nil
}
