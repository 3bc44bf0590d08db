package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Attachment is a supporting document of a request (surat lantikan, a
// letter of transfer): its bytes live in the database beside the request,
// so that a backup holds them.
type Attachment struct {
	bun.BaseModel `bun:"table:request_attachments"`

	ID          int64     `bun:"id,pk,autoincrement"`
	RequestID   int64     `bun:"request_id"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	SHA256      string    `bun:"sha256"`
	Data        []byte    `bun:"data"`
	UploadedBy  int64     `bun:"uploaded_by"`
	UploadedAt  time.Time `bun:"uploaded_at"`

	UploaderName string `bun:"uploader_name,scanonly"`
}

// ErrNoAttachment is the store's answer for an attachment that does not
// exist (or not on that request).
var ErrNoAttachment = errors.New("store: no such attachment")

// attachmentColumns are an attachment's columns without its bytes, for lists.
var attachmentColumns = []string{"id", "request_id", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"}

// Attachments lists request id's attachments, oldest first, without their
// bytes, with the name of who attached each.
func (c Conn) Attachments(ctx context.Context, id int64) ([]Attachment, error) {
	var list []Attachment
	sel := c.rd.NewSelect().Model(&list).ColumnExpr("?TableAlias.id, ?TableAlias.request_id, ?TableAlias.name, ?TableAlias.content_type").
		ColumnExpr("?TableAlias.size, ?TableAlias.sha256, ?TableAlias.uploaded_by, ?TableAlias.uploaded_at, u.name AS uploader_name").
		Join("JOIN users AS u ON u.id = ?TableAlias.uploaded_by").
		Where("?TableAlias.request_id = ?", id).OrderExpr("?TableAlias.id")
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	return list, nil
}

// AttachmentsSize is the number of attachments of request id and their
// bytes in all.
func (c Conn) AttachmentsSize(ctx context.Context, id int64) (n, size int64, err error) {
	err = c.rd.NewSelect().Model((*Attachment)(nil)).ColumnExpr("COUNT(*), COALESCE(SUM(size), 0)").
		Where("request_id = ?", id).Scan(ctx, &n, &size)
	if err != nil {
		return 0, 0, fmt.Errorf("attachments size: %w", err)
	}
	return n, size, nil
}

// Attachment reads attachment aid of request id; with data, its bytes too.
func (c Conn) Attachment(ctx context.Context, id, aid int64, data bool) (*Attachment, error) {
	a := new(Attachment)
	sel := c.rd.NewSelect().Model(a).Column(attachmentColumns...).Where("id = ? AND request_id = ?", aid, id)
	if data {
		sel = sel.Column("data")
	}
	err := sel.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAttachment
	}
	if err != nil {
		return nil, fmt.Errorf("read attachment: %w", err)
	}
	return a, nil
}

// InsertAttachment stores a (its ID is set). The same content twice on one
// request breaks the unique index: IsUniqueViolation tells.
func (c Conn) InsertAttachment(ctx context.Context, a *Attachment) error {
	if _, err := c.idb.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert attachment: %w", err)
	}
	return nil
}

// DeleteAttachment removes attachment aid of request id and reports
// whether there was one.
func (c Conn) DeleteAttachment(ctx context.Context, id, aid int64) (bool, error) {
	res, err := c.idb.NewDelete().Model((*Attachment)(nil)).Where("id = ? AND request_id = ?", aid, id).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("delete attachment: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// BumpRequestVersion moves request id from version to the next without
// changing its state (a reply to remarks is in its history: a page that
// showed the old history is stale); it reports whether the request was
// still at version.
func (c Conn) BumpRequestVersion(ctx context.Context, id, version int64) (bool, error) {
	res, err := c.idb.NewUpdate().Model((*Request)(nil)).
		Set("version = version + 1").Set("updated_at = ?", c.now()).
		Where("id = ? AND version = ?", id, version).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("bump request version: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
