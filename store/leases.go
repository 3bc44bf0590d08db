package store

import (
	"context"
	"fmt"
	"time"
)

// TakeLease makes holder the one process that runs the job name until
// until, if no other holder's lease on it runs now; a holder may take its
// own lease again to extend it. It reports whether holder holds the lease
// after the call. Leases are how several processes on one database agree
// that a job (the reminder sweep) runs in one of them at a time; a holder
// that dies frees the job when its lease ends.
func (c Conn) TakeLease(ctx context.Context, name, holder string, until time.Time) (bool, error) {
	res, err := c.idb.NewRaw(`INSERT INTO job_leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE job_leases.until <= ? OR job_leases.holder = excluded.holder`,
		name, holder, until.UTC(), c.now()).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("take the lease of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("take the lease of %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease ends holder's lease on the job name now, so that another
// process may run it without waiting for the lease to run out. A lease
// that another holder took meanwhile is left alone.
func (c Conn) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := c.idb.NewRaw(`UPDATE job_leases SET until = ? WHERE name = ? AND holder = ?`,
		c.now(), name, holder).Exec(ctx)
	if err != nil {
		return fmt.Errorf("release the lease of %s: %w", name, err)
	}
	return nil
}

// EndLease removes holder's lease on the job name, for a job that is over
// and whose name is never taken again (an import's apply): its row would
// otherwise stay for good.
func (c Conn) EndLease(ctx context.Context, name, holder string) error {
	if _, err := c.idb.NewRaw(`DELETE FROM job_leases WHERE name = ? AND holder = ?`, name, holder).Exec(ctx); err != nil {
		return fmt.Errorf("end the lease of %s: %w", name, err)
	}
	return nil
}
