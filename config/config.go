// Package config holds the portal's settings. Each setting is a command-line
// flag and an environment variable ISPEKS_<NAME> (upper case, dashes as
// underscores); a flag given on the command line wins over the variable.
// Every setting has a safe default for the embedded mode, and a bad value
// stops the program with one line naming the setting and what is wrong.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the portal.
type Config struct {
	Addr     string // where serve listens
	Database string // postgres://… or sqlite:<path>; empty: sqlite in DataDir
	DataDir  string // the embedded database, mail files, generated documents
	BaseURL  string // the portal's public address, for links in mail
	SMTPURL  string // smtp://, smtps:// or smtp+insecure://; empty: mail to files
	MailFrom string // the sender of every mail
	LogLevel string // debug, info, warn, error

	TreasuryName string // shown on every page and document

	SessionIdle    time.Duration   // a session ends after this long unused
	SessionMax     time.Duration   // and after this long whatever happens
	LockAfter      int             // consecutive failed logins that lock an account
	LockFor        []time.Duration // how long each lock in a row lasts, the last repeating; 0: until a reset or a sysadmin unlocks
	LoginThrottle  int             // failed logins from one address in 15 minutes before it must wait
	Composition    bool            // passwords must mix upper, lower, digit, symbol (JPA)
	LinkTTL        time.Duration   // one-time set-password links and temporary passwords
	ReminderDays   int             // working days a request may wait before reminders
	MailWorkers    int             // mail senders inside serve; 0 leaves mail to `ispeks worker`
	TrustedProxies string          // comma-separated addresses whose X-Forwarded-For is believed
	UploadLimit    int64           // bytes a file import (a route marked upload) may send

	AttachmentMaxSize  int64 // bytes of one supporting document of a request
	AttachmentMaxTotal int64 // bytes of all the supporting documents of one request

	MetricsAllow string // comma-separated networks whose monitors may read /metrics
	MetricsToken string // a bearer token that may read /metrics from anywhere

	// PasswordSelfService lets users ask for a one-time set-password link
	// to their profile's e-mail themselves (/password/forgot); off, only a
	// sysadmin's reset or the Borang gives a new password.
	PasswordSelfService bool
	// OfficialEmailDomains are the domains (subdomains included) a
	// Borang's e-mail may be under; empty accepts any domain.
	OfficialEmailDomains []string

	PayslipPDFPassword     string // mykad (the employee's MyKad opens the PDF) or none
	PayslipRetentionMonths int    // months back employees see their slips; 0 keeps every month

	ECEmployerNo string // the treasury's employer number with LHDN (E + 10 digits) on every Borang EC

	// SecretKey (base64) or, when empty, the file SecretKeyFile holds the
	// master key the database never holds (see package secret).
	SecretKey     string
	SecretKeyFile string
}

type setting struct {
	name  string
	help  string
	value flag.Value
}

// FlagSet registers every setting on fs and returns a function to call after
// fs.Parse: it applies the environment (for settings not given as flags) and
// checks the result.
func (c *Config) FlagSet(fs *flag.FlagSet, getenv func(string) string) func() error {
	settings := []setting{
		{"addr", "address to listen on", (*stringValue)(&c.Addr)},
		{"database", "database URL: postgres://user:pass@host:5432/db or sqlite:<path> (default: sqlite in the data folder)", (*stringValue)(&c.Database)},
		{"data-dir", "folder for the embedded database, mail files and documents", (*stringValue)(&c.DataDir)},
		{"base-url", "public address of the portal, used in links sent by mail", (*stringValue)(&c.BaseURL)},
		{"smtp-url", "mail server: smtp://user:pass@host:587 (STARTTLS), smtps://… (TLS), smtp+insecure://… (local relay); empty writes mail to <data-dir>/mail", (*stringValue)(&c.SMTPURL)},
		{"mail-from", "sender address of the portal's mail", (*stringValue)(&c.MailFrom)},
		{"log-level", "debug, info, warn or error", (*stringValue)(&c.LogLevel)},
		{"treasury-name", "the treasury's name on every page", (*stringValue)(&c.TreasuryName)},
		{"session-idle", "a session ends after this long without use", (*durationValue)(&c.SessionIdle)},
		{"session-max", "a session ends this long after login, used or not", (*durationValue)(&c.SessionMax)},
		{"lock-after", "consecutive failed logins that lock an account", (*intValue)(&c.LockAfter)},
		{"lock-for", "how long a lock lasts, for each lock in a row (the last repeats), e.g. 15m,1h,0; 0 keeps it until a reset or an unlock by a sysadmin", (*durationsValue)(&c.LockFor)},
		{"login-throttle", "failed logins from one address within 15 minutes before it must wait", (*intValue)(&c.LoginThrottle)},
		{"password-composition", "passwords must mix upper and lower case, digits and symbols", (*boolValue)(&c.Composition)},
		{"link-ttl", "lifetime of one-time set-password links and temporary passwords", (*durationValue)(&c.LinkTTL)},
		{"password-self-service", "users may ask for a set-password link to their profile's e-mail themselves (\"Lupa kata laluan?\"); false leaves resets to sysadmins and the Borang", (*boolValue)(&c.PasswordSelfService)},
		{"official-email-domains", "comma-separated domains a Borang's e-mail may be under, subdomains included, e.g. gov.my; empty accepts any", (*domainsValue)(&c.OfficialEmailDomains)},
		{"reminder-days", "working days a request may wait at one stage before its approvers are reminded", (*intValue)(&c.ReminderDays)},
		{"mail-workers", "parallel mail senders inside serve; 0 leaves delivery to separate `ispeks worker` processes", (*intValue)(&c.MailWorkers)},
		{"trusted-proxies", "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed", (*stringValue)(&c.TrustedProxies)},
		{"upload-limit", "largest body a file import may send, e.g. 256MiB (other requests have fixed, small limits)", (*sizeValue)(&c.UploadLimit)},
		{"attachment-max-size", "largest supporting document (PDF, JPEG, PNG) a request may carry, e.g. 5MiB", (*sizeValue)(&c.AttachmentMaxSize)},
		{"attachment-max-total", "all the supporting documents of one request together, e.g. 20MiB", (*sizeValue)(&c.AttachmentMaxTotal)},
		{"metrics-allow", "comma-separated addresses or networks allowed to read /metrics", (*stringValue)(&c.MetricsAllow)},
		{"metrics-token", "bearer token that allows reading /metrics from any address", (*stringValue)(&c.MetricsToken)},
		{"payslip-pdf-password", "password of pay-slip PDFs: mykad (the employee's MyKad number, 12 digits) or none", (*stringValue)(&c.PayslipPDFPassword)},
		{"payslip-retention-months", "months back employees see their pay slips, counting the current one; 0 keeps every month", (*intValue)(&c.PayslipRetentionMonths)},
		{"ec-employer-no", "the treasury's employer number with LHDN (E followed by 10 digits) printed on every Borang EC; no year is generated without it", (*stringValue)(&c.ECEmployerNo)},
		{"secret-key", "the master key (base64 of 32 random bytes) that derives one-time links and signs audit checkpoints; kept out of the database", (*stringValue)(&c.SecretKey)},
		{"secret-key-file", "file holding the master key when --secret-key is empty; created at first start (default <data-dir>/secret.key)", (*stringValue)(&c.SecretKeyFile)},
	}
	*c = Default()
	for _, s := range settings {
		fs.Var(s.value, s.name, s.help+" (env "+EnvName(s.name)+")")
	}
	return func() error {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for _, s := range settings {
			if given[s.name] {
				continue
			}
			if v := getenv(EnvName(s.name)); v != "" {
				if err := s.value.Set(v); err != nil {
					return fmt.Errorf("%s: %v", EnvName(s.name), err)
				}
			}
		}
		return c.Check()
	}
}

// EnvName is the environment variable of the setting name.
func EnvName(name string) string {
	return "ISPEKS_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// DefaultUploadLimit is room for a CSV of a million lines of payroll
// (about 200 bytes a line) with its multipart framing.
const DefaultUploadLimit = 256 << 20

// Default returns the settings of the embedded mode.
func Default() Config {
	return Config{
		Addr:          ":8080",
		DataDir:       "./data",
		MailFrom:      "iSPEKS <noreply@ispeks.localhost>",
		LogLevel:      "info",
		TreasuryName:  "Perbendaharaan Negeri Melaka",
		SessionIdle:   30 * time.Minute,
		SessionMax:    12 * time.Hour,
		LockAfter:     3,
		LockFor:       []time.Duration{15 * time.Minute, time.Hour, 0},
		LoginThrottle: 20,
		Composition:   true,
		LinkTTL:       72 * time.Hour,
		ReminderDays:  3,
		MailWorkers:   2,
		UploadLimit:   DefaultUploadLimit,
		MetricsAllow:  "127.0.0.1/32,::1/128",

		AttachmentMaxSize:  5 << 20,
		AttachmentMaxTotal: 20 << 20,

		PayslipPDFPassword: "mykad",

		PasswordSelfService: true,
	}
}

// Check fills derived defaults and reports the first bad setting, naming it.
func (c *Config) Check() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("%s: %q is not host:port (for example :8080)", EnvName("addr"), c.Addr)
	}
	if c.MailWorkers < 0 || c.MailWorkers > 64 {
		return fmt.Errorf("%s: %d is not between 0 and 64", EnvName("mail-workers"), c.MailWorkers)
	}
	if c.ReminderDays < 1 {
		return fmt.Errorf("%s: must be at least 1", EnvName("reminder-days"))
	}
	if c.DataDir == "" {
		return fmt.Errorf("%s: may not be empty", EnvName("data-dir"))
	}
	if c.Database == "" {
		c.Database = "sqlite:" + filepath.Join(c.DataDir, "ispeks.db")
	}
	if c.SecretKeyFile == "" {
		c.SecretKeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	if !strings.HasPrefix(c.Database, "sqlite:") && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
		return fmt.Errorf("%s: want postgres://user:password@host:5432/dbname or sqlite:<path>", EnvName("database"))
	}
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an http(s) address such as https://ispeks.example.gov.my", EnvName("base-url"), c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.SMTPURL != "" {
		su, err := url.Parse(c.SMTPURL)
		if err != nil || su.Host == "" {
			return fmt.Errorf("%s: not a URL such as smtp://user:password@mail.example.gov.my:587", EnvName("smtp-url"))
		}
		switch su.Scheme {
		case "smtp", "smtps", "smtp+insecure":
		default:
			return fmt.Errorf("%s: unknown scheme %q (want smtp, smtps or smtp+insecure)", EnvName("smtp-url"), su.Scheme)
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("%s: %q is not a mail address", EnvName("mail-from"), c.MailFrom)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("%s: %q (want debug, info, warn or error)", EnvName("log-level"), c.LogLevel)
	}
	switch {
	case c.SessionIdle < time.Minute:
		return fmt.Errorf("%s: at least 1m", EnvName("session-idle"))
	case c.SessionMax < c.SessionIdle:
		return fmt.Errorf("%s: may not be shorter than %s", EnvName("session-max"), EnvName("session-idle"))
	case c.LockAfter < 1 || c.LockAfter > 20:
		return fmt.Errorf("%s: between 1 and 20", EnvName("lock-after"))
	case c.LoginThrottle < 1:
		return fmt.Errorf("%s: at least 1", EnvName("login-throttle"))
	case len(c.LockFor) == 0 || slices.ContainsFunc(c.LockFor, func(d time.Duration) bool { return d < 0 }):
		return fmt.Errorf("%s: one or more durations, none negative (0: until unlocked)", EnvName("lock-for"))
	case c.LinkTTL < 10*time.Minute || c.LinkTTL > 30*24*time.Hour:
		return fmt.Errorf("%s: between 10m and 720h", EnvName("link-ttl"))
	case c.ReminderDays < 1:
		return fmt.Errorf("%s: at least 1", EnvName("reminder-days"))
	case c.UploadLimit < 1<<20 || c.UploadLimit > 4<<30:
		return fmt.Errorf("%s: between 1MiB and 4GiB", EnvName("upload-limit"))
	case c.AttachmentMaxSize < 64<<10 || c.AttachmentMaxSize > 64<<20:
		return fmt.Errorf("%s: between 64KiB and 64MiB", EnvName("attachment-max-size"))
	case c.AttachmentMaxTotal < c.AttachmentMaxSize || c.AttachmentMaxTotal > 256<<20:
		return fmt.Errorf("%s: at least %s and at most 256MiB", EnvName("attachment-max-total"), EnvName("attachment-max-size"))
	}
	for _, p := range splitList(c.MetricsAllow) {
		if _, err := parseNet(p); err != nil {
			return fmt.Errorf("%s: %q is not an address or network", EnvName("metrics-allow"), p)
		}
	}
	switch c.PayslipPDFPassword {
	case "mykad", "none":
	default:
		return fmt.Errorf("%s: %q (want mykad or none)", EnvName("payslip-pdf-password"), c.PayslipPDFPassword)
	}
	if c.PayslipRetentionMonths < 0 {
		return fmt.Errorf("%s: may not be negative (0 keeps every month)", EnvName("payslip-retention-months"))
	}
	for _, p := range c.Proxies() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return fmt.Errorf("%s: %q is not an address or network", EnvName("trusted-proxies"), p)
			}
		}
	}
	return nil
}

// Proxies returns the trusted proxy addresses.
func (c *Config) Proxies() []string { return splitList(c.TrustedProxies) }

// MetricsNets returns the networks whose monitors may read /metrics.
func (c *Config) MetricsNets() []*net.IPNet {
	var out []*net.IPNet
	for _, p := range splitList(c.MetricsAllow) {
		if n, err := parseNet(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// parseNet reads a network (10.0.0.0/8) or one address (10.0.0.7).
func parseNet(s string) (*net.IPNet, error) {
	if ip := net.ParseIP(s); ip != nil {
		bits := 128
		if ip.To4() != nil {
			ip, bits = ip.To4(), 32
		}
		return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
	}
	_, n, err := net.ParseCIDR(s)
	return n, err
}

// splitList splits a comma-separated setting, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Secure reports whether the portal is served over https (cookies are then
// marked Secure).
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 30m or 12h", s)
	}
	*v = durationValue(d)
	return nil
}

// durationsValue is a comma-separated list of durations: 15m,1h,0.
type durationsValue []time.Duration

func (v *durationsValue) String() string {
	var parts []string
	for _, d := range *v {
		if d == 0 {
			parts = append(parts, "0")
		} else {
			parts = append(parts, d.String())
		}
	}
	return strings.Join(parts, ",")
}

func (v *durationsValue) Set(s string) error {
	var out []time.Duration
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "0" {
			out = append(out, 0)
			continue
		}
		d, err := time.ParseDuration(p)
		if err != nil {
			return fmt.Errorf("%q is not a list of durations such as 15m,1h,0", s)
		}
		out = append(out, d)
	}
	*v = out
	return nil
}

// domainsValue is a comma-separated list of mail domains (gov.my,
// melaka.gov.my), kept in lower case without a leading "@" or ".": each
// is one or more dot-separated labels of letters, digits and inner
// hyphens.
type domainsValue []string

func (v *domainsValue) String() string { return strings.Join(*v, ",") }
func (v *domainsValue) Set(s string) error {
	var out []string
	for _, d := range splitList(s) {
		d = strings.TrimLeft(strings.ToLower(d), "@.")
		if !domainName.MatchString(d) {
			return fmt.Errorf("%q is not a mail domain such as gov.my", d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	*v = out
	return nil
}

var domainName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v = intValue(n)
	return nil
}

// sizeValue is a number of bytes, written plain (1048576) or with a binary
// unit: KiB, MiB, GiB (also K, M, G, KB, MB, GB, meaning the same).
type sizeValue int64

func (v *sizeValue) String() string { return FormatSize(int64(*v)) }
func (v *sizeValue) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffixes []string
		mult     int64
	}{{[]string{"GIB", "GB", "G"}, 1 << 30}, {[]string{"MIB", "MB", "M"}, 1 << 20}, {[]string{"KIB", "KB", "K"}, 1 << 10}} {
		for _, suf := range u.suffixes {
			if rest, ok := strings.CutSuffix(t, suf); ok {
				t, mult = strings.TrimSpace(rest), u.mult
				break
			}
		}
		if mult != 1 {
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size such as 256MiB", s)
	}
	*v = sizeValue(n * mult)
	return nil
}

// FormatSize writes a number of bytes with the largest binary unit that
// divides it: 8 KiB, 256 MiB, 1500 B.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

type boolValue bool

func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*v = boolValue(b)
	return nil
}
