package notify

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// FileSender writes each Message to <dir>/<ID>.eml instead of sending it,
// for the embedded mode with no SMTP server: an operator can open the file in
// any mail client, and the log line says where it is. A retry with the same
// ID replaces the file, so there is one file per notification.
type FileSender struct {
	dir  string
	from Address
	log  *slog.Logger
}

func newFileSender(dataDir string, from Address, log *slog.Logger) *FileSender {
	return &FileSender{dir: filepath.Join(dataDir, "mail"), from: from, log: log}
}

// Send writes m atomically (temporary file, then rename), so that a reader
// never sees half a message and a crash leaves at most a stray temporary file.
// Its errors (disk full, permissions) are temporary.
func (s *FileSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := Render(s.from, m)
	if err != nil {
		return err
	}
	// 0o700 and CreateTemp's 0o600: mails may carry one-time links.
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("notify: mail directory: %w", err)
	}
	path := filepath.Join(s.dir, m.ID+".eml")
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("notify: write %s: %w", path, err)
	}
	s.log.Info("mail written to file (no SMTP server configured)",
		"to", maskEmails(m.To), "subject", m.Subject, "file", path)
	return nil
}

// String describes where mail goes, for start-up logs.
func (s *FileSender) String() string { return "files in " + s.dir }

// writeAtomic replaces path with data in one rename, after syncing the data.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.eml")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
