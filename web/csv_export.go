package web

import (
	"encoding/csv"
	"net/http"

	"github.com/gin-gonic/gin"
)

// sendCSV streams a CSV download called name: UTF-8 with a byte-order mark
// (so that Excel shows Malay text right), the header, then the rows each
// puts, every cell formula-safe (csvCell). A failure after the status went
// out ends the file short; the log says why.
func (s *Server) sendCSV(c *gin.Context, name string, header []string, each func(put func(row []string) error) error) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	_, _ = c.Writer.WriteString("\uFEFF")
	w := csv.NewWriter(c.Writer)
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
	if err != nil {
		s.log.Error("csv export", "file", name, "error", err)
		_ = c.Error(err)
	}
}
