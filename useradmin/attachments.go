package useradmin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Supporting documents (lampiran) of a request: PDF, JPEG or PNG files the
// PTJ representative attaches while the request is theirs (a draft, or
// returned for amendment), kept in the database with the request; listed
// and downloaded by whoever may see the request. Adding, removing and
// every download are audited.

// AttachmentLimits bound the files of a request, in bytes.
type AttachmentLimits struct {
	Each  int64 // one file
	Total int64 // all the files of one request
}

// DefaultAttachmentLimits are 5 MiB a file and 20 MiB a request.
var DefaultAttachmentLimits = AttachmentLimits{Each: 5 << 20, Total: 20 << 20}

// WithAttachmentLimits sets the limits of attachments (the settings
// --attachment-max-size and --attachment-max-total).
func WithAttachmentLimits(l AttachmentLimits) Option { return func(s *Service) { s.limits = l } }

// AttachmentLimits are the limits in force.
func (s *Service) AttachmentLimits() AttachmentLimits { return s.limits }

// Upload is a file as it was received: the name it was sent under and its
// bytes (read up to one byte past the limit of a file, so that a larger
// one is known to be larger).
type Upload struct {
	Name string
	Data []byte
}

// ErrAttachmentNotFound answers an attachment that does not exist, is not
// on that request, or was removed (a second click on "remove").
var ErrAttachmentNotFound = apperr.New(apperr.NotFound, "attachment.error.not_found")

func attachmentField(key string, args ...any) error {
	return apperr.Fields(apperr.Field(forms.FieldFile, key, args...))
}

// mayAttach is nil when by may change r's attachments now: r is a draft or
// returned, and by may send it on (the workflow's guard for submit or
// resubmit: a PTJ representative of its PTJ, not its subject).
func (s *Service) mayAttach(r *store.Request, by *store.User) error {
	event := workflow.Submit
	switch r.State {
	case workflow.Draft:
	case workflow.Returned:
		event = workflow.Resubmit
	default:
		return apperr.New(apperr.Conflict, "attachment.error.state", "State", r.State.Text())
	}
	_, err := s.decide(r, actorOf(by), workflow.Action{Event: event, Version: r.Version})
	return err
}

// attachAll attaches files to r inside tx (see Attach).
func (s *Service) attachAll(ctx context.Context, tx store.Conn, r *store.Request, by *store.User, files []Upload) error {
	for _, up := range files {
		if _, err := s.attach(ctx, tx, r, by, up); err != nil {
			return err
		}
	}
	return nil
}

// attach checks up and stores it on r inside tx, with its audit record.
func (s *Service) attach(ctx context.Context, tx store.Conn, r *store.Request, by *store.User, up Upload) (*store.Attachment, error) {
	if err := s.mayAttach(r, by); err != nil {
		return nil, err
	}
	typ, err := forms.AttachmentType(up.Data)
	if err != nil {
		return nil, apperr.Fields(forms.Field(forms.FieldFile, err))
	}
	size := int64(len(up.Data))
	if size > s.limits.Each {
		return nil, attachmentField("attachment.error.too_large", "Limit", config.FormatSize(s.limits.Each))
	}
	_, held, err := tx.AttachmentsSize(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if held+size > s.limits.Total {
		return nil, attachmentField("attachment.error.total", "Limit", config.FormatSize(s.limits.Total),
			"Left", humanBytes(max(s.limits.Total-held, 0)))
	}
	sum := sha256.Sum256(up.Data)
	a := &store.Attachment{RequestID: r.ID, Name: forms.AttachmentName(up.Name, typ), ContentType: typ, Size: size,
		SHA256: hex.EncodeToString(sum[:]), Data: up.Data, UploadedBy: by.ID, UploadedAt: s.now()}
	if err := tx.InsertAttachment(ctx, a); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, apperr.New(apperr.Conflict, "attachment.error.duplicate")
		}
		return nil, err
	}
	return a, tx.Audit(ctx, actor(by), "attachment.add", "request", r.Reference,
		map[string]any{"file": a.Name, "type": typ, "size": size, "sha256": a.SHA256})
}

// humanBytes is what is left under a limit, as its message tells it:
// whole MiB, a tenth of a MiB, or whole KiB below one MiB (rounded down).
func humanBytes(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return config.FormatSize(n)
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n*10>>20)/10, 'f', 1, 64) + " MiB"
	}
	return strconv.FormatInt(n>>10, 10) + " KiB"
}

// Attach adds up to request id for by, in one transaction with its audit
// record: refused, and nothing stored, when by may not see the request
// (NotFound), it is neither a draft nor returned (Conflict), by may not
// send it on (Forbidden), the file is not a PDF, JPEG or PNG by its content
// or is over a limit (Invalid, on "file"), or the same file is attached
// already (Conflict).
func (s *Service) Attach(ctx context.Context, by *store.User, id int64, up Upload) (*store.Attachment, error) {
	var a *store.Attachment
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, err := s.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		a, err = s.attach(ctx, tx, r, by, up)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Detach removes attachment aid from request id for by, under the rules
// of Attach; an attachment already removed answers ErrAttachmentNotFound.
func (s *Service) Detach(ctx context.Context, by *store.User, id, aid int64) (*store.Attachment, error) {
	var a *store.Attachment
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, err := s.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if err := s.mayAttach(r, by); err != nil {
			return err
		}
		if a, err = tx.Attachment(ctx, id, aid, false); errors.Is(err, store.ErrNoAttachment) {
			return ErrAttachmentNotFound
		} else if err != nil {
			return err
		}
		if ok, err := tx.DeleteAttachment(ctx, id, aid); err != nil {
			return err
		} else if !ok {
			return ErrAttachmentNotFound
		}
		return tx.Audit(ctx, actor(by), "attachment.remove", "request", r.Reference,
			map[string]any{"file": a.Name, "sha256": a.SHA256})
	})
	return a, err
}

// Attachments lists the attachments of r (which the caller may see),
// without their bytes.
func (s *Service) Attachments(ctx context.Context, r *store.Request) ([]store.Attachment, error) {
	return s.db.Attachments(ctx, r.ID)
}

// Download returns attachment aid of request id with its bytes, if viewer
// may see the request (the request's own rule), and audits the download
// before handing it over.
func (s *Service) Download(ctx context.Context, viewer *store.User, id, aid int64) (*store.Attachment, error) {
	r, err := s.RequestFor(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	a, err := s.db.Attachment(ctx, id, aid, true)
	if errors.Is(err, store.ErrNoAttachment) {
		return nil, ErrAttachmentNotFound
	}
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		return tx.Audit(ctx, actor(viewer), "attachment.download", "request", r.Reference,
			map[string]any{"file": a.Name, "sha256": a.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Reply records by's answer to the remarks request id came back with, in
// its history (see workflow.DecideReply), with its audit record; version is
// the one by saw, so that a second click adds nothing.
func (s *Service) Reply(ctx context.Context, by *store.User, id, version int64, text string) (*ActResult, error) {
	var res *ActResult
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, err := s.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		t, err := workflow.DecideReply(snapshot(r), actorOf(by), workflow.Action{Event: workflow.Reply, Version: version, Remarks: text}, s.now())
		if err != nil {
			return err
		}
		if ok, err := tx.BumpRequestVersion(ctx, r.ID, version); err != nil {
			return err
		} else if !ok {
			return workflow.ErrStale
		}
		now := s.now()
		r.Version, r.UpdatedAt = r.Version+1, now
		ev := store.RequestEvent{RequestID: r.ID, Event: t.Event, From: t.From, To: t.To,
			ActorID: by.ID, ActorLogin: by.Login, ActorName: by.Name, Remarks: t.Remarks, At: now}
		if err := tx.InsertEvent(ctx, &ev); err != nil {
			return err
		}
		r.Events = append(r.Events, ev)
		res = &ActResult{Request: r}
		return tx.Audit(ctx, actor(by), "request.reply", "request", r.Reference, map[string]any{"version": r.Version})
	})
	return res, err
}
