package web

import (
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"
)

// upload is a file received for an import: the edge has parsed the
// multipart form (a route marked upload, up to --upload-limit; a large file
// waits in a temporary file the server removes after the request).
type upload struct {
	name string
	file multipart.File
}

// receiveUpload opens the form's field "file"; noFile is the module's
// message when the form carries none.
func receiveUpload(c *gin.Context, noFile error) (*upload, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Filename == "" {
		return nil, noFile
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open the upload: %w", err)
	}
	return &upload{name: filepath.Base(fh.Filename), file: f}, nil
}

// ticked reports whether a form's check box (or an API's flag) is set.
func ticked(v string) bool { return v == "1" || v == "true" || v == "on" }

// spool copies the upload to a file of the portal's own under
// <data-dir>/uploads, which outlives the request for an import that runs
// in the background; the caller removes it when the import is done.
func (up *upload) spool(dataDir, pattern string) (string, error) {
	dir := filepath.Join(dataDir, "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, up.file); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
