package anchor_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/anchor"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

func jsonLine(c anchor.Checkpoint) (string, error) {
	b, err := json.Marshal(c)
	return string(b) + "\n", err
}

// rewrite changes the detail of record from and recomputes its hash and
// every later one, and the head, with the chain's rule (store's
// computeHash, written out again here as an attacker would).
func rewrite(t *testing.T, db *store.DB, from int64) {
	t.Helper()
	var recs []store.AuditRecord
	if err := db.IDB().NewSelect().Model(&recs).Where("seq >= ?", from-1).OrderExpr("seq").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	prev := recs[0].Hash
	for i := 1; i < len(recs); i++ {
		r := recs[i]
		if r.Seq == from {
			r.Detail = `{"i":"forged"}`
		}
		r.PrevHash = prev
		h := sha256.New()
		var actor string
		if r.ActorID != nil {
			actor = strconv.FormatInt(*r.ActorID, 10)
		}
		for _, f := range []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano),
			actor, r.ActorLogin, r.Action, r.ObjectType, r.ObjectID, r.Detail} {
			fmt.Fprintf(h, "%d:%s;", len(f), f)
		}
		r.Hash = hex.EncodeToString(h.Sum(nil))
		stmt := fmt.Sprintf("UPDATE audit_log SET detail = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %d", r.Detail, r.PrevHash, r.Hash, r.Seq)
		if i == 1 || db.Dialect == store.Postgres {
			storetest.TamperAudit(t, db, stmt) // SQLite's guard, once dropped, stays dropped
		} else if _, err := db.IDB().ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
		prev = r.Hash
	}
	if _, err := db.IDB().ExecContext(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", prev); err != nil {
		t.Fatal(err)
	}
}
