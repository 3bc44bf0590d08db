package payslip

import (
	"context"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/store"
)

// Every viewing of pay is audited before it is shown, and the audit log is
// one hash chain appended in order: a transaction per viewing would make
// every employee's page wait in line for the chain's head. The viewings
// that arrive together are therefore written together (group commit): the
// first starts a transaction, those that come while it runs wait for the
// next one, which takes them all; each viewer waits until the transaction
// holding its record has committed, so no page is shown unaudited.

// auditBatch bounds one transaction's records.
const auditBatch = 256

type auditReq struct {
	actor    store.Actor
	action   string
	objectID string
	detail   any
	done     chan error
}

type auditor struct {
	db      *store.DB
	mu      sync.Mutex
	queue   []auditReq
	running bool
}

// record appends one record to the chain and returns once it committed.
func (a *auditor) record(ctx context.Context, actor store.Actor, action, objectID string, detail any) error {
	r := auditReq{actor: actor, action: action, objectID: objectID, detail: detail, done: make(chan error, 1)}
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
		return ctx.Err() // the record is still written: the viewer asked for the page
	}
}

// run writes the waiting records, a batch per transaction, until none wait.
func (a *auditor) run() {
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
		err := a.db.Tx(ctx, func(tx store.Conn) error {
			for _, r := range batch {
				if err := tx.Audit(ctx, r.actor, r.action, "payslip", r.objectID, r.detail); err != nil {
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
