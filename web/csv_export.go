package web

import (
	"bufio"
	"encoding/csv"
	"net/http"

	"github.com/gin-gonic/gin"
)

// sendCSV streams a CSV download called name: UTF-8 with a byte-order mark
// (so that Excel shows Malay text right), the header, then the rows each
// puts, every cell formula-safe (csvCell). put may be handed the same
// slice again for each row. A failure after the status went
// out ends the file short; the log says why.
func (s *Server) sendCSV(c *gin.Context, name string, header []string, each func(put func(row []string) error) error) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	buf := bufio.NewWriterSize(c.Writer, 64<<10) // fewer, larger writes to the client
	_, _ = buf.WriteString("\uFEFF")
	w := csv.NewWriter(buf)
	_ = w.Write(header)
	err := each(func(row []string) error {
		for i := range row {
			row[i] = csvCell(row[i])
		}
		return w.Write(row)
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err == nil {
		err = buf.Flush()
	}
	if err != nil {
		s.log.Error("csv export", "file", name, "error", err)
		_ = c.Error(err)
	}
}
