package store

import (
	"context"
	"sync"
	"time"
)

// Every viewing of pay (a pay slip, a Borang EC) is audited before it is
// shown, and the audit log is one hash chain appended in order: a
// transaction per viewing would make every employee's page wait in line for
// the chain's head. The viewings that arrive together are therefore written
// together (group commit): the first starts a transaction, those that come
// while it runs wait for the next one, which takes them all; each viewer
// waits until the transaction holding its record has committed, so no page
// is shown unaudited.
//
// It lives here, beside the chain it appends to, so that every module uses
// the one implementation: a module may not import another module (eEC may
// import ePayslip, but eMaklum may not, and the chain is not ePayslip's).

// auditBatch bounds one transaction's records.
const auditBatch = 256

type auditReq struct {
	actor      Actor
	action     string
	objectType string
	objectID   string
	detail     any
	done       chan error
}

// Auditor appends audit records by group commit. Make one per module
// service with NewAuditor; it is safe for concurrent use.
type Auditor struct {
	db      *DB
	mu      sync.Mutex
	queue   []auditReq
	running bool
}

// NewAuditor returns an Auditor writing to db.
func NewAuditor(db *DB) *Auditor { return &Auditor{db: db} }

// Record appends one record to the chain and returns once it committed
// (or ctx ended: the record is then still written, since the viewer asked
// for the page).
func (a *Auditor) Record(ctx context.Context, actor Actor, action, objectType, objectID string, detail any) error {
	r := auditReq{actor: actor, action: action, objectType: objectType, objectID: objectID, detail: detail, done: make(chan error, 1)}
	a.mu.Lock()
	a.queue = append(a.queue, r)
	if !a.running {
		a.running = true
		go a.run()
	}
	a.mu.Unlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run writes the waiting records, a batch per transaction, until none wait.
func (a *Auditor) run() {
	for {
		a.mu.Lock()
		batch := a.queue
		if len(batch) > auditBatch {
			batch = batch[:auditBatch]
		}
		a.queue = a.queue[len(batch):]
		if len(batch) == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := a.db.Tx(ctx, func(tx Conn) error {
			for _, r := range batch {
				if err := tx.Audit(ctx, r.actor, r.action, r.objectType, r.objectID, r.detail); err != nil {
					return err
				}
			}
			return nil
		})
		cancel()
		for _, r := range batch {
			r.done <- err
		}
	}
}
