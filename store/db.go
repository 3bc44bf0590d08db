// Package store is the portal's persistence: bun models, queries,
// migrations and the transaction helper, on PostgreSQL (production) and
// SQLite (the embedded default). It decides nothing: who may do what, what
// an action changes and whom it mails are the domain's rules (workflow,
// useradmin, auth and the modules), which run their queries through a Conn.
//
// The same migrations and queries serve both dialects. Where the SQL must
// differ (identity columns, timestamp types) the migrations use template
// placeholders filled per dialect; queries stay portable SQL.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // pure-Go SQLite: no cgo, one static binary
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// pgPool is how many connections a process opens to PostgreSQL at most;
// transactions take turns on all but pgReadsBeside of them (DB.txTurns).
// More did not go faster on two cores: 64 doubled the approvals' p99.
const pgPool, pgReadsBeside = 20, 4

// sqliteMapSize is how much of SQLite's file its connections read mapped
// into memory (the rest, past it, as before). It is address space, not
// memory: the pages are the system's file cache, shared by every
// connection.
const sqliteMapSize = 0x7fff0000 // SQLITE_MAX_MMAP_SIZE, the most the library maps (2 GiB less 64 KiB)

// sqliteWriterBusy is how long SQLite's writer waits for another process
// that holds the write lock (see openSQLite): the server's write timeout.
const sqliteWriterBusy = 120 * time.Second

// DB is the portal's database handle. Its Conn runs queries outside any
// transaction; Tx runs a function on a Conn inside one.
type DB struct {
	Conn
	bun     *bun.DB // writes and transactions
	read    *bun.DB // reads outside a transaction (the same pool on PostgreSQL)
	Dialect Dialect
	// Now is the clock every query uses for "now"; tests replace it.
	Now func() time.Time

	// sealers counts the RunAuditSealer loops of this process; when one
	// runs, a committed action wakes it (sealWake) instead of sealing.
	sealers  atomic.Int32
	sealWake chan struct{}

	// txTurns is the line transactions wait in for a turn, first come
	// first served: as many turns as SQLite has writers (one), and on
	// PostgreSQL all but a few of the pool's connections, which are left
	// to reads outside transactions (a session's, a page's). The pool alone
	// would keep them waiting too, but database/sql gives a returned
	// connection to a waiter picked at random, so at 50 approvers at once
	// some waited through many others' turns: p99 388 ms where the median
	// was 56 on SQLite, and 125–147 ms against 96–102 on PostgreSQL.
	txTurns   chan struct{}
	txWaiting atomic.Int64

	// namesRepeat is the last reading of whether the requests' names
	// repeat (Conn.namesRepeat), and when it was taken.
	namesRepeat atomic.Pointer[namesReading]

	// sqlitePath is the SQLite database's file ("" for PostgreSQL and
	// for a database in memory): a long job's staging connection opens it
	// beside the pools (RunJob).
	sqlitePath string
	// presence is this process's row in processes, on a SQLite file
	// (processes.go).
	presence string

	stmts     sync.Map // stmtKey → *sql.Stmt: the prepared queries (prepared.go)
	preparing sync.Map // *preparedQuery → true while its write pool's statement is being prepared
}

// Conn runs the store's queries on the database or inside a transaction.
// Domain packages receive one from DB (outside a transaction) or from Tx.
// Outside a transaction, reads (rd) and writes (idb) may take different
// pools: on SQLite every write goes through the one writer connection, so
// that writers of this process queue in the process instead of failing
// with "database is locked", while reads go on beside them (WAL).
type Conn struct {
	db  *DB
	idb bun.IDB  // writes, and everything inside a transaction
	rd  bun.IDB  // reads
	st  *txState // what the transaction gathers until commit; nil outside one
}

// txState is what a transaction gathers on its way: the audit records it
// chains just before commit.
type txState struct {
	audit []AuditRecord
	// staging are the temporary staging tables made on SQLite within one
	// transaction (Bulk.CreateStaging), dropped at its job's end.
	staging []string
}

// IDB is the bun handle of c for writing (and for reading inside a
// transaction), for the queries a module package writes for its own
// tables. The web layer never uses it: it goes through the domain.
func (c Conn) IDB() bun.IDB { return c.idb }

// ReadIDB is the bun handle of c for reads: outside a transaction a read
// never waits behind a writer.
func (c Conn) ReadIDB() bun.IDB { return c.rd }

// DB is the database c belongs to.
func (c Conn) DB() *DB { return c.db }

// now is the store's clock.
func (c Conn) now() time.Time { return c.db.Now() }

// Open connects to the database named by dsn and checks that it answers.
//
// dsn is either a PostgreSQL URL (postgres://user:pass@host:5432/db?sslmode=…)
// or "sqlite:<path>"; "sqlite:" alone means <dataDir>/ispeks.db. SQLite runs in
// WAL mode with foreign keys on and two pools: one writer connection, whose
// transactions take the write lock at BEGIN (BEGIN IMMEDIATE), and a few
// read-only connections. Writers of this process therefore queue for the
// writer connection instead of spinning on SQLite's busy handler; the busy
// timeout only matters between processes (a backup, an operator's shell).
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	var (
		sqldb   *sql.DB
		dialect Dialect
		bdb     *bun.DB
		rdb     *bun.DB
		// sqlitePath is the SQLite file, once its pools are open.
		sqlitePath string
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		u, err := url.Parse(dsn)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("malformed PostgreSQL URL (want postgres://user:password@host:5432/dbname)")
		}
		if len(u.Path) <= 1 {
			return nil, fmt.Errorf("PostgreSQL URL names no database (want postgres://user:password@host:5432/dbname)")
		}
		// pgdriver gives up on a statement that answers nothing for 10 s,
		// and on a write the server does not take for 5 s; a bulk import's
		// statements (an index built over a million rows) and its COPY
		// into a busy server may take longer, so the waits are minutes
		// unless the URL's read_timeout and write_timeout say otherwise.
		connector := pgdriver.NewConnector(pgdriver.WithReadTimeout(5*time.Minute), pgdriver.WithWriteTimeout(5*time.Minute),
			pgdriver.WithDSN(dsn), pgdriver.WithDialTimeout(5*time.Second))
		sqldb = sql.OpenDB(connector)
		sqldb.SetMaxOpenConns(pgPool)
		// As many idle as open: a burst that returned connections beyond
		// the idle limit closed them, and each new one cost the server a
		// process (a fifth of its CPU per approval at 50 approvers).
		sqldb.SetMaxIdleConns(pgPool)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		dialect = Postgres
		bdb = bun.NewDB(sqldb, pgdialect.New())
		rdb = bdb
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			path = filepath.Join(dataDir, "ispeks.db")
		}
		if path != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("cannot create the folder for %s: %v", path, err)
			}
		}
		var err error
		if sqldb, err = openSQLite(path, true, true); err != nil {
			return nil, err
		}
		// One writer at a time is SQLite's rule: one connection makes the
		// others wait in line here, in Go, not in the busy handler.
		sqldb.SetMaxOpenConns(1)
		dialect = SQLite
		bdb = bun.NewDB(sqldb, sqlitedialect.New())
		if path == ":memory:" {
			rdb = bdb // a second pool would see another, empty database
			break
		}
		readers, err := openSQLite(path, false, false)
		if err != nil {
			sqldb.Close()
			return nil, err
		}
		readers.SetMaxOpenConns(4)
		rdb = bun.NewDB(readers, sqlitedialect.New())
		sqlitePath = path
	default:
		return nil, fmt.Errorf("unknown database %q (want postgres://… or sqlite:<path>)", redactDSN(dsn))
	}
	db := &DB{bun: bdb, read: rdb, Dialect: dialect, sqlitePath: sqlitePath, Now: func() time.Time { return time.Now().UTC() },
		sealWake: make(chan struct{}, 1)}
	if dialect == SQLite {
		db.txTurns = make(chan struct{}, 1)
	} else {
		db.txTurns = make(chan struct{}, pgPool-pgReadsBeside)
	}
	db.Conn = Conn{db: db, idb: bdb, rd: rdb}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := bdb.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("database %s does not answer: %v", redactDSN(dsn), err)
	}
	if sqlitePath != "" {
		removeStaleStaging(sqlitePath, filesOfJobsApplying(ctx, db))
		db.announce(ctx)
	}
	return db, nil
}

// openSQLite opens a pool on the SQLite file at path: the writer's
// (write: its transactions take the write lock at BEGIN), the readers'
// (neither: query_only), or a long job's staging connection (mayWrite
// alone: it writes its own attached staging file, and its transactions
// take no lock on the portal's file until they write it, which they do
// not).
func openSQLite(path string, write, mayWrite bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// How long a connection waits for another process's lock before
	// SQLITE_BUSY. The writer waits as long as the server lets a request
	// take (its write timeout): a write of this process waits in line for
	// another process's job (`ispeks import` beside `serve`) as it would
	// for one of its own, rather than fail at 10 s and lose the action.
	busy := 10 * time.Second
	if write {
		busy = sqliteWriterBusy
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "synchronous(NORMAL)")
	// Reads map the file instead of copying each page out of the
	// system's cache into the connection's own (2 MB by default, and
	// one per connection): a search that reads 2,000 profiles spread
	// over 1,500 pages spent most of its time in those copies' system
	// calls (6 ms of a 7.9 ms query, 3 ms mapped).
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", sqliteMapSize))
	switch {
	case write:
		q.Set("_txlock", "immediate")
	case !mayWrite:
		q.Add("_pragma", "query_only(1)")
	}
	return sql.Open("sqlite", "file:"+path+"?"+q.Encode())
}

// redactDSN hides the password of a database URL, for messages and logs.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationSources are the migration folders of every package that owns
// tables: the store's own (profiles, requests, audit, mail) and each
// module's. Their files share one history, ordered by name (a timestamp),
// so the names must be unique across packages.
var migrationSources = map[string]fs.FS{}

// RegisterMigrations adds the migration files of a package that owns
// tables (from its init, as database/sql drivers register): fsys is the
// package's embedded files, which hold them in a folder "migrations".
// Every DB migrated afterwards applies them with the rest.
func RegisterMigrations(owner string, fsys fs.FS) {
	if _, dup := migrationSources[owner]; dup {
		panic("store: migrations of " + owner + " registered twice")
	}
	dir, err := fs.Sub(fsys, "migrations")
	if err != nil {
		panic("store: migrations of " + owner + ": " + err.Error())
	}
	migrationSources[owner] = dir
}

func init() { RegisterMigrations("store", migrationFiles) }

// sqlTypes fills the placeholders of the migration templates per dialect.
type sqlTypes struct {
	Postgres bool
	ID       string // an auto-increment primary key column type
	Time     string // a timestamp column type (values are always UTC)
}

func (db *DB) migrator() (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	seen := map[string]string{}
	for owner, dir := range migrationSources {
		names, err := fs.Glob(dir, "*.sql")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			id := strings.SplitN(n, "_", 2)[0]
			if prev, dup := seen[id]; dup {
				return nil, fmt.Errorf("migrations: %s of %s has the number of %s", n, owner, prev)
			}
			seen[id] = owner + "/" + n
		}
		if err := ms.Discover(dir); err != nil {
			return nil, fmt.Errorf("migrations of %s: %w", owner, err)
		}
	}
	types := sqlTypes{Postgres: true, ID: "BIGSERIAL PRIMARY KEY", Time: "TIMESTAMPTZ"}
	if db.Dialect == SQLite {
		types = sqlTypes{ID: "INTEGER PRIMARY KEY AUTOINCREMENT", Time: "TIMESTAMP"}
	}
	return migrate.NewMigrator(db.bun, ms, migrate.WithTemplateData(types), migrate.WithMarkAppliedOnSuccess(true)), nil
}

// Migrate applies every migration not applied yet and returns their names.
// Each migration runs in its own transaction; several instances starting at
// once take the migration lock in turn.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	m, err := db.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("migrations: another instance holds the lock: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	db.announce(ctx)
	return names, nil
}

// Ready reports whether the database answers a query now.
func (db *DB) Ready(ctx context.Context) error {
	var one int
	return db.read.NewRaw("SELECT 1").Scan(ctx, &one)
}

// ErrBackupPostgres says that a PostgreSQL database is backed up with its
// own tools.
var ErrBackupPostgres = errors.New("a PostgreSQL database is backed up with pg_dump (see README, Backup and restore)")

// Backup writes a consistent copy of the SQLite database to path, while the
// portal goes on serving (SQLite's VACUUM INTO reads one snapshot, so writes
// made meanwhile wait for nothing and are simply not in the copy). path must
// not exist yet.
//
// A copy taken while a job's apply is under way (RunJob, an eMaklum import
// landing in parts) would hold it half applied, and its staging file is
// not in the copy: restored, the job could not be finished. So Backup
// waits until no job is applying, and takes the copy again if one began
// meanwhile, for backupWait at most.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already", path)
	}
	deadline := time.Now().Add(backupWait)
	for {
		n, err := jobsApplyingIn(ctx, db.bun.DB)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if n == 0 {
			// The writer connection (the readers are query-only): in the
			// process of `ispeks backup` it has no other writer to hold up,
			// and the serving process's writers go on beside the snapshot
			// it reads (WAL).
			if _, err := db.bun.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
				os.Remove(path) // a half-written copy is no backup
				return fmt.Errorf("backup: %w", err)
			}
			n, err = jobsApplyingInFile(ctx, path)
			if err == nil && n == 0 {
				return nil
			}
			os.Remove(path) // unchecked, or a job began its apply before the snapshot
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("backup: a long job (an import being saved) has been applying for %s; try again once it is done", backupWait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("backup: %w", ctx.Err())
		case <-time.After(backupPoll):
		}
	}
}

// backupWait is how long Backup waits for the jobs applying to end, and
// backupPoll how often it looks.
var (
	backupWait = 15 * time.Minute
	backupPoll = 2 * time.Second
)

// jobsApplyingIn counts the jobs whose apply is under way in the database
// of pool (none in one not yet migrated).
func jobsApplyingIn(ctx context.Context, pool *sql.DB) (int, error) {
	var n int
	err := pool.QueryRowContext(ctx, "SELECT COUNT(*) FROM jobs_applying").Scan(&n)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, nil
	}
	return n, err
}

// jobsApplyingInFile counts the jobs applying in the SQLite file at path.
func jobsApplyingInFile(ctx context.Context, path string) (int, error) {
	copyDB, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer copyDB.Close()
	return jobsApplyingIn(ctx, copyDB)
}

// Pools are the database's connection pools by name ("write", and "read"
// when reads have their own), for monitoring.
func (db *DB) Pools() map[string]*sql.DB {
	m := map[string]*sql.DB{"write": db.bun.DB}
	if db.read != db.bun {
		m["read"] = db.read.DB
	}
	return m
}

// Transactions reports how many transactions run now, how many wait for
// their turn, and how many may run at once (DB.Tx).
func (db *DB) Transactions() (running, waiting, turns int) {
	return len(db.txTurns), int(db.txWaiting.Load()), cap(db.txTurns)
}

// Close seals the audit records still waiting (a command that ends right
// after its action leaves none behind), then closes the database's
// connections.
func (db *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err := db.SealAudit(ctx, true)
	db.withdraw(ctx)
	cancel()
	db.stmts.Range(func(_, s any) bool {
		_ = s.(*sql.Stmt).Close()
		return true
	})
	err = errors.Join(err, db.bun.Close())
	if db.read != db.bun {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Tx runs fn on a Conn inside one transaction: committed if fn returns nil,
// rolled back otherwise. Every change a user's action makes goes through
// here, so that it lands whole or not at all. It first waits for a turn
// (txTurns), in the order transactions came, or until ctx ends. A Tx
// must not run another inside fn: SQLite's one turn is fn's own.
func (db *DB) Tx(ctx context.Context, fn func(tx Conn) error) error {
	release, err := db.takeTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	var audited int
	err = db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c := Conn{db: db, idb: tx, rd: tx, st: &txState{}}
		if err := fn(c); err != nil {
			return err
		}
		var err error
		audited, err = c.writeAudit(ctx)
		return err
	})
	if err == nil && audited > 0 {
		db.sealAfterCommit(ctx)
	}
	return err
}

// takeTurn waits for a transaction's turn (txTurns), in the order
// transactions came, or until ctx ends; release gives the turn back.
func (db *DB) takeTurn(ctx context.Context) (release func(), err error) {
	db.txWaiting.Add(1)
	defer db.txWaiting.Add(-1)
	select {
	case db.txTurns <- struct{}{}: // a channel's waiting senders go in the order they came
		return func() { <-db.txTurns }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sealAfterCommit has the audit records a transaction just committed
// sealed. Where this process runs a sealer (serve, worker), it wakes it and
// returns: one sealing transaction then chains what every action of the
// moment committed, off their requests' paths (at 50 approvers at once each
// approval's own try at the head cost three statements, most of them to
// find it taken). Elsewhere (a command, a test) the committer seals, unless
// another sealer holds the chain's head (it, the next action or
// RunAuditSealer will seal them). The action has committed whatever
// happens here: a failure leaves its records waiting, not lost, and is not
// the action's error.
func (db *DB) sealAfterCommit(ctx context.Context) {
	if db.Dialect != Postgres {
		return
	}
	if db.sealers.Load() > 0 {
		select {
		case db.sealWake <- struct{}{}:
		default: // already woken: its next batch takes these records too
		}
		return
	}
	_, _ = db.SealAudit(context.WithoutCancel(ctx), false)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsUnavailable reports whether err means that the database cannot be
// reached or cannot serve now — a refused or broken connection, a timeout
// talking to it, a closed pool, a server shutting down or out of
// connections, SQLite's write lock held past the busy timeout — rather
// than a fault of the query: the caller should answer "try again shortly"
// (503), not "internal error".
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true // dial failures, timeouts, resets
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		code := pgErr.Field('C')
		// 08: connection exception; 53: insufficient resources (too many
		// connections, out of memory or disk); 57P01–57P03: the server is
		// shutting down, crashed or starting.
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || code == "57P01" || code == "57P02" || code == "57P03"
	}
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "unable to open database file")
}
