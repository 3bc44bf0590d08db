package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/i18n"
)

// Actor is whoever does a thing the audit log records: a user of the portal,
// or the command line (UserID 0, Login "cli") for bootstrap work.
type Actor struct {
	UserID int64
	Login  string
}

// CLI is the actor of commands run on the server by its operators.
var CLI = Actor{Login: "cli"}

// RecordedActor is the actor a row recorded as its user's id (NULL for
// the command line) and login: the end of a long job, which may run in
// another process, audits as the one who began it.
func RecordedActor(userID *int64, login string) Actor {
	a := Actor{Login: login}
	if userID != nil {
		a.UserID = *userID
	}
	return a
}

// RecordedID is a's user's id as a row records it, nil (NULL) for the
// command line: RecordedActor's way back.
func (a Actor) RecordedID() *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// AuditRecord is one row of the append-only audit log. A record is
// written by the action it records, in the action's transaction, with its
// arrival number (ID); it is sealed into the chain — given its place (Seq),
// the hash of the record before it (PrevHash) and its own (Hash) — just
// after that transaction commits (see SealAudit). Seq is 0 until then.
type AuditRecord struct {
	bun.BaseModel `bun:"table:audit_log,alias:audit_record"` // alias: auditAlias

	ID         int64     `bun:"id,pk,autoincrement"`
	Seq        int64     `bun:"seq,nullzero"`
	At         time.Time `bun:"at"`
	ActorID    *int64    `bun:"actor_id"`
	ActorLogin string    `bun:"actor_login"`
	Action     string    `bun:"action"`
	ObjectType string    `bun:"object_type"`
	ObjectID   string    `bun:"object_id"`
	Detail     string    `bun:"detail"`
	PrevHash   string    `bun:"prev_hash,nullzero"`
	Hash       string    `bun:"hash,nullzero"`

	// ActorName is the actor's profile name as the log's pages read it
	// with the record (ListAudit, EachAudit): not part of the record, nor
	// of its hash. Empty for a record of no profile, or of one gone.
	ActorName string `bun:"actor_name,scanonly"`
}

// computeHash is the chain rule: SHA-256 over the previous hash and every
// field of the record, each length-prefixed so that no two records can be
// made to hash alike by moving text between fields.
func (r *AuditRecord) computeHash() string {
	h := sha256.New()
	var actor string
	if r.ActorID != nil {
		actor = strconv.FormatInt(*r.ActorID, 10)
	}
	for _, f := range []string{
		r.PrevHash,
		strconv.FormatInt(r.Seq, 10),
		r.At.UTC().Format(time.RFC3339Nano),
		actor, r.ActorLogin, r.Action, r.ObjectType, r.ObjectID, r.Detail,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Audit adds one record to the log, in c's transaction: it exists exactly
// when the action it records committed. The records wait in the
// transaction and are written together at its end (writeAudit); they are
// chained after the commit (SealAudit), so that no action holds the
// chain's head while it commits. Outside a transaction the record is
// written in one of its own.
func (c Conn) Audit(ctx context.Context, actor Actor, action, objectType, objectID string, detail any) error {
	if c.st == nil {
		return c.db.Tx(ctx, func(tx Conn) error { return tx.Audit(ctx, actor, action, objectType, objectID, detail) })
	}
	var text string
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		text = string(b)
	}
	rec := AuditRecord{
		// Microseconds: what PostgreSQL keeps, so the hash survives a round trip.
		At:         c.now().UTC().Truncate(time.Microsecond),
		ActorLogin: actor.Login,
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
		Detail:     text,
		ActorID:    actor.RecordedID(),
	}
	c.st.audit = append(c.st.audit, rec)
	return nil
}

// writeAudit inserts the transaction's waiting records, unsealed, in one
// statement, last thing before commit, and reports how many it wrote. On
// SQLite, whose one writer already puts transactions in a line, it seals
// them in the same transaction: nothing waits there that would not wait
// anyway, and the chain is never behind.
func (c Conn) writeAudit(ctx context.Context) (int, error) {
	recs := c.st.audit
	if len(recs) == 0 {
		return 0, nil
	}
	if err := c.appendAudit(ctx, recs); err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	if c.db.Dialect == SQLite {
		if _, err := c.sealPending(ctx, true); err != nil {
			return 0, err
		}
	}
	return len(recs), nil
}

// appendAudit inserts recs through one prepared statement: on PostgreSQL
// once whatever their number, each column passed as an array, as
// enqueueRows writes mails (written as values, the record was the one
// statement of an approval that PostgreSQL planned every time); on SQLite,
// in the process, once a record. The records are numbered (id) in the
// order given, as a transaction wrote them.
func (c Conn) appendAudit(ctx context.Context, recs []AuditRecord) error {
	if c.db.Dialect == SQLite {
		return c.execEach(ctx, auditAppendQuery, len(recs), func(i int) []any {
			r := &recs[i]
			return []any{r.At, r.ActorID, r.ActorLogin, r.Action, r.ObjectType, r.ObjectID, r.Detail}
		})
	}
	var at, actorID, login, action, objectType, objectID, detail pgArray
	for i := range recs {
		r := &recs[i]
		at.add(r.At.UTC().Format(time.RFC3339Nano))
		actorID.addID(r.ActorID)
		login.add(r.ActorLogin)
		action.add(r.Action)
		objectType.add(r.ObjectType)
		objectID.add(r.ObjectID)
		detail.add(r.Detail)
	}
	_, err := c.execPrepared(ctx, auditAppendQuery, at.String(), actorID.String(), login.String(), action.String(),
		objectType.String(), objectID.String(), detail.String())
	return err
}

var auditAppendQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	if c.db.Dialect == SQLite {
		return "INSERT INTO audit_log (at, actor_id, actor_login, action, object_type, object_id, detail) VALUES (" + argList(arg, 1, 7) + ")"
	}
	return `INSERT INTO audit_log (at, actor_id, actor_login, action, object_type, object_id, detail)
SELECT r.at, r.actor_id, r.actor_login, r.action, r.object_type, r.object_id, r.detail
FROM unnest(` + string(arg(1)) + `::timestamptz[], ` + string(arg(2)) + `::bigint[], ` + string(arg(3)) + `::varchar[], ` +
		string(arg(4)) + `::varchar[], ` + string(arg(5)) + `::varchar[], ` + string(arg(6)) + `::varchar[], ` + string(arg(7)) + `::text[])
WITH ORDINALITY AS r (at, actor_id, actor_login, action, object_type, object_id, detail, n)
ORDER BY r.n`
})

// sealBatch is how many records one sealing transaction chains at most.
const sealBatch = 1000

// SealAudit chains every committed record that is not sealed yet, in
// arrival order, and returns how many it sealed. Each batch is one short
// transaction that holds the chain's head (its row lock on PostgreSQL), so
// that sealers of several processes take turns and the chain never forks.
// With wait false it gives up at once, sealing nothing, when another
// sealer holds the head: that one, or the next, seals what is waiting.
func (db *DB) SealAudit(ctx context.Context, wait bool) (int64, error) {
	total, err := InBatches(sealBatch, func() (n int, err error) {
		err = db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			n, err = Conn{db: db, idb: tx, rd: tx}.sealPending(ctx, wait)
			return err
		})
		return n, err
	})
	return int64(total), err
}

// sealPending seals up to sealBatch waiting records, inside c's
// transaction: it takes the head, numbers the records after it, hashes each
// over the one before, and moves the head to the last. Its statements are
// prepared: SQLite seals in every action's transaction, and PostgreSQL's
// sealer once for each moment's commits, where bun's bulk update of the
// records was a new text for each count of them, planned every time.
func (c Conn) sealPending(ctx context.Context, wait bool) (int, error) {
	var head struct {
		Seq  int64  `bun:"seq"`
		Hash string `bun:"hash"`
	}
	q := auditHeadQuery
	if !wait {
		q = auditHeadTryQuery
	}
	rows, err := c.queryPrepared(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	if found, err := c.scanOne(ctx, rows, &head); err != nil || !found {
		return 0, err // not found: another sealer holds the head
	}
	var recs []AuditRecord
	if err := c.scanPrepared(ctx, auditPendingQuery, &recs); err != nil {
		return 0, fmt.Errorf("audit pending: %w", err)
	}
	if len(recs) == 0 {
		return 0, nil
	}
	prev := head.Hash
	for i := range recs {
		recs[i].Seq = head.Seq + 1 + int64(i)
		recs[i].PrevHash = prev
		recs[i].Hash = recs[i].computeHash()
		prev = recs[i].Hash
	}
	if err := c.sealRecords(ctx, recs); err != nil {
		return 0, fmt.Errorf("audit seal: %w", err)
	}
	if _, err := c.execPrepared(ctx, auditHeadMoveQuery, recs[len(recs)-1].Seq, prev); err != nil {
		return 0, fmt.Errorf("audit head: %w", err)
	}
	return len(recs), nil
}

// sealRecords writes recs' places and hashes: on PostgreSQL in one
// statement, each column an array; on SQLite, in the process, one record
// at a time.
func (c Conn) sealRecords(ctx context.Context, recs []AuditRecord) error {
	if c.db.Dialect == Postgres {
		var id, seq, prev, hash pgArray
		for i := range recs {
			id.add(strconv.FormatInt(recs[i].ID, 10))
			seq.add(strconv.FormatInt(recs[i].Seq, 10))
			prev.add(recs[i].PrevHash)
			hash.add(recs[i].Hash)
		}
		_, err := c.execPrepared(ctx, auditSealQuery, id.String(), seq.String(), prev.String(), hash.String())
		return err
	}
	return c.execEach(ctx, auditSealQuery, len(recs), func(i int) []any {
		return []any{recs[i].ID, recs[i].Seq, recs[i].PrevHash, recs[i].Hash}
	})
}

// auditHeadQuery reads the chain's head, locking it on PostgreSQL (SQLite's
// one writer holds it already); auditHeadTryQuery reads no row when another
// sealer holds it.
var auditHeadQuery, auditHeadTryQuery = auditHead(true), auditHead(false)

func auditHead(wait bool) *preparedQuery {
	return prepared(func(c Conn, _ func(int) bun.Safe) string {
		q := "SELECT seq, hash FROM audit_head WHERE id = 1"
		if c.db.Dialect == Postgres {
			q += " FOR UPDATE"
			if !wait {
				q += " SKIP LOCKED"
			}
		}
		return q
	})
}

// auditPendingQuery reads the next records to seal, in arrival order.
var auditPendingQuery = prepared(func(c Conn, _ func(int) bun.Safe) string {
	return c.rd.NewSelect().Model((*AuditRecord)(nil)).Where("seq IS NULL").OrderExpr("id").Limit(sealBatch).String()
})

// auditSealQuery writes records' places and hashes: arrays of ids, places,
// previous hashes and hashes on PostgreSQL, one record's on SQLite.
var auditSealQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	if c.db.Dialect == Postgres {
		return `UPDATE audit_log AS r SET seq = d.seq, prev_hash = d.prev_hash, hash = d.hash
FROM unnest(` + string(arg(1)) + `::bigint[], ` + string(arg(2)) + `::bigint[], ` + string(arg(3)) + `::varchar[], ` + string(arg(4)) + `::varchar[])
AS d (id, seq, prev_hash, hash) WHERE r.id = d.id`
	}
	return "UPDATE audit_log SET seq = " + string(arg(2)) + ", prev_hash = " + string(arg(3)) + ", hash = " + string(arg(4)) + " WHERE id = " + string(arg(1))
})

// auditHeadMoveQuery moves the chain's head to the last record sealed.
var auditHeadMoveQuery = prepared(func(_ Conn, arg func(int) bun.Safe) string {
	return "UPDATE audit_head SET seq = " + string(arg(1)) + ", hash = " + string(arg(2)) + " WHERE id = 1"
})

// RunAuditSealer seals waiting records whenever an action of this process
// commits some (sealAfterCommit wakes it) and every interval until ctx
// ends: the interval is the backstop for records of other processes, and
// of a process that stopped between commit and seal. Errors go to report.
func (db *DB) RunAuditSealer(ctx context.Context, interval time.Duration, report func(error)) {
	db.sealers.Add(1)
	defer db.sealers.Add(-1)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-db.sealWake:
		}
		if _, err := db.SealAudit(ctx, true); err != nil && ctx.Err() == nil {
			report(err)
		}
	}
}

// AuditBreak describes the first record where the chain does not hold.
type AuditBreak struct {
	Seq int64
	// Reason says what broke, as a catalogue text: a record missing, out of
	// order, altered, or the log ending before the last record written.
	Reason i18n.Text
}

// Message is the break in lang: "record 7: content altered".
func (b *AuditBreak) Message(lang string) string {
	return i18n.T(lang, "audit.break", "Seq", b.Seq, "Reason", b.Reason)
}

func (b *AuditBreak) Error() string { return b.Message(i18n.EN) }

// VerifyAudit seals the records waiting for it (SealAudit), then walks the
// chain as Conn.VerifyAudit does.
func (db *DB) VerifyAudit(ctx context.Context) (int64, *AuditBreak, error) {
	if _, err := db.SealAudit(ctx, true); err != nil {
		return 0, nil, err
	}
	return db.Conn.VerifyAudit(ctx)
}

// VerifyAudit walks the whole chain in order and returns the number of
// records checked and the first break (nil when the chain is whole): a record
// whose content no longer matches its hash, a record that does not point at
// the one before it, a gap in the sequence, or a head that does not match the
// last record (rows deleted from the end).
func (c Conn) VerifyAudit(ctx context.Context) (int64, *AuditBreak, error) {
	prev := "0000000000000000000000000000000000000000000000000000000000000000"
	var n, last int64
	const batch = 1000
	for {
		var recs []AuditRecord
		if err := c.rd.NewSelect().Model(&recs).Where("seq > ?", last).OrderExpr("seq").Limit(batch).Scan(ctx); err != nil { // unsealed records (seq NULL) are not yet in the chain
			return n, nil, err
		}
		for i := range recs {
			r := &recs[i]
			switch {
			case r.Seq != last+1:
				return n, &AuditBreak{Seq: last + 1, Reason: i18n.Of("audit.break.missing")}, nil
			case r.PrevHash != prev:
				return n, &AuditBreak{Seq: r.Seq, Reason: i18n.Of("audit.break.order")}, nil
			case r.computeHash() != r.Hash:
				return n, &AuditBreak{Seq: r.Seq, Reason: i18n.Of("audit.break.altered")}, nil
			}
			prev, last = r.Hash, r.Seq
			n++
		}
		if len(recs) < batch {
			break
		}
	}
	var head struct {
		Seq  int64  `bun:"seq"`
		Hash string `bun:"hash"`
	}
	if err := c.rd.NewRaw("SELECT seq, hash FROM audit_head WHERE id = 1").Scan(ctx, &head); err != nil {
		return n, nil, err
	}
	if head.Seq != last || head.Hash != prev {
		return n, &AuditBreak{Seq: last + 1, Reason: i18n.Of("audit.break.truncated", "Last", last, "Written", head.Seq)}, nil
	}
	return n, nil, nil
}

// AuditHead returns the sequence number and hash of the newest record of
// the chain as committed (0 and the zero hash for an empty log): what an
// anchor outside the database signs. It reads the head row outside any
// transaction, so it sees only what has committed.
func (c Conn) AuditHead(ctx context.Context) (int64, string, error) {
	var head struct {
		Seq  int64  `bun:"seq"`
		Hash string `bun:"hash"`
	}
	if err := c.rd.NewRaw("SELECT seq, hash FROM audit_head WHERE id = 1").Scan(ctx, &head); err != nil {
		return 0, "", fmt.Errorf("audit head: %w", err)
	}
	return head.Seq, head.Hash, nil
}

// AuditHashes returns the stored hash of each record of seqs that exists.
func (c Conn) AuditHashes(ctx context.Context, seqs []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(seqs))
	const batch = 500
	for i := 0; i < len(seqs); i += batch {
		var recs []AuditRecord
		if err := c.rd.NewSelect().Model(&recs).Column("seq", "hash").
			Where("seq IN (?)", bun.In(seqs[i:min(i+batch, len(seqs))])).Scan(ctx); err != nil {
			return nil, fmt.Errorf("audit hashes: %w", err)
		}
		for _, r := range recs {
			out[r.Seq] = r.Hash
		}
	}
	return out, nil
}

// AuditLastSeq returns the sequence number of the newest record the log
// holds (0 when it is empty), whatever the head says.
func (c Conn) AuditLastSeq(ctx context.Context) (int64, error) {
	var last int64
	if err := c.rd.NewRaw("SELECT COALESCE(MAX(seq), 0) FROM audit_log").Scan(ctx, &last); err != nil {
		return 0, fmt.Errorf("audit last record: %w", err)
	}
	return last, nil
}
