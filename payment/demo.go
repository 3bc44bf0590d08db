package payment

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// DemoOptions shape a made-up import file, for `ispeks demo` and the
// benchmarks: the same file the accounting system sends, with payees,
// amounts and paths through the status graph that look like a state's.
type DemoOptions struct {
	Vouchers int
	PTJs     []string // the PTJs that pay
	// Employees are paid one voucher in twenty, ending at each status in turn.
	Employees []DemoPayee
	Today     time.Time
	Seed      uint64
	// History writes every status of each voucher's path, one line each,
	// from where the accounting system first reported it; otherwise only
	// where each voucher stands now (one line a voucher).
	History bool
	// Prefix starts every voucher number (default "V").
	Prefix string
}

// Words that make up payees' names.
var (
	companyWords = []string{"MAJU", "JAYA", "SETIA", "BINA", "TEKNIK", "CEMERLANG", "GEMILANG", "MUTIARA", "SURIA", "BESTARI",
		"PERDANA", "INDAH", "BAIDURI", "AMANAH", "SEJAHTERA", "MELAKA", "HIKMAH", "KENCANA", "DINAMIK", "PUTRA"}
	companyTrades = []string{"PERCETAKAN", "PEMBINAAN", "TEKNOLOGI", "KEJURUTERAAN", "PERKHIDMATAN", "PEMBEKALAN", "KATERING", "LOGISTIK"}
	companyForms  = []string{"SDN BHD", "ENTERPRISE", "TRADING", "RESOURCES"}
	givenNames    = []string{"AHMAD", "SITI", "MUHAMMAD", "NUR", "LIM", "TAN", "KAVITHA", "RAJESH", "FARIDAH", "ZAINAL", "AISYAH",
		"HAZIQ", "WONG", "MEI LING", "SURESH", "NORAINI", "KAMAL", "ROSLI", "AMINAH", "DEVI"}
	familyNames = []string{"HASSAN", "OMAR", "YUSOF", "ABDULLAH", "ISMAIL", "KAMAL", "RAMASAMY", "MURUGAN", "ZAKARIA", "AWANG"}
)

// DemoPayee is someone the demo file pays: a MyKad number and a name.
type DemoPayee struct{ MyKad, Name string }

// demoPayee is a payee of the demo file.
type demoPayee struct {
	id, name, account string
	company           bool
}

// WriteDemoFile writes a made-up import file of o.Vouchers vouchers to w.
// The first vouchers end at each status in turn, so that every status is
// there; the rest take random paths. Nothing in it is dated after o.Today.
func WriteDemoFile(w io.Writer, o DemoOptions) error {
	if o.Prefix == "" {
		o.Prefix = "V"
	}
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	companies := make([]demoPayee, max(o.Vouchers/50, 5))
	for i := range companies {
		companies[i] = demoPayee{company: true,
			id: fmt.Sprintf("%04d01%06d", 1990+r.IntN(36), r.IntN(1000000)),
			name: companyWords[r.IntN(len(companyWords))] + " " + companyWords[r.IntN(len(companyWords))] + " " +
				companyTrades[r.IntN(len(companyTrades))] + " " + companyForms[r.IntN(len(companyForms))],
			account: strconv.Itoa(5_000_000_000 + r.IntN(4_000_000_000))}
	}
	people := make([]demoPayee, max(o.Vouchers/12, 5))
	for i := range people {
		given, family := givenNames[r.IntN(len(givenNames))], familyNames[r.IntN(len(familyNames))]
		link := " BIN "
		if r.IntN(2) == 0 {
			link = " BINTI "
		}
		people[i] = demoPayee{id: demoMyKad(r), name: given + link + family, account: strconv.Itoa(100_000_000_000 + r.IntN(900_000_000_000))}
	}
	staff := make([]demoPayee, len(o.Employees))
	for i, e := range o.Employees {
		staff[i] = demoPayee{id: e.MyKad, name: e.Name, account: "1140" + e.MyKad[4:12]}
	}
	today := o.Today.In(malaysia.KL)
	bw := bufio.NewWriterSize(w, 256<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(Header); err != nil {
		return err
	}
	ends := Statuses()
	for v := range o.Vouchers {
		var p demoPayee
		var end Status
		switch {
		case len(staff) > 0 && v%20 == 0:
			p, end = staff[(v/20)%len(staff)], ends[(v/20)%len(ends)]
		case r.IntN(3) == 0:
			p = companies[r.IntN(len(companies))]
		default:
			p = people[r.IntN(len(people))]
		}
		if v < len(ends) {
			end = ends[v]
		}
		path := demoPath(r, end)
		day := today.AddDate(0, 0, -len(path)*2-r.IntN(90))
		l := Line{Voucher: fmt.Sprintf("%s%09d", o.Prefix, v+1), PTJ: o.PTJs[r.IntN(len(o.PTJs))], PayeeID: p.id, PayeeName: p.name}
		if p.company {
			l.Invoice = fmt.Sprintf("INV-%d-%05d", day.Year(), r.IntN(100000))
			l.AmountSen = int64(10_000 + r.IntN(20_000_000))
		} else {
			l.Invoice = fmt.Sprintf("TNT-%d-%02d-%04d", day.Year(), int(day.Month()), r.IntN(10000))
			l.AmountSen = int64(2_000 + r.IntN(500_000))
		}
		first := 0
		if !o.History {
			first = len(path) - 1
		} else if r.IntN(4) == 0 {
			first = r.IntN(len(path)) // first reported further along
		}
		l.Mode, l.Account = EFT, p.account
		for i, st := range path {
			day = day.AddDate(0, 0, r.IntN(3))
			l.Status, l.Date = st, day.Format(malaysia.ISODate)
			switch st {
			case Issued:
				l.Mode, l.Account = Cheque, ""
				l.Ref = fmt.Sprintf("CQ%06d", r.IntN(1000000))
			case SentToBank:
				l.Ref = "EFT" + day.Format("20060102") + fmt.Sprintf("%05d", r.IntN(100000))
			}
			if i < first {
				continue
			}
			if err := cw.Write(l.Record()); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// demoPath is a path through the status graph from received, ending at
// end (or anywhere, when end is "").
func demoPath(r *rand.Rand, end Status) []Status {
	for {
		path := []Status{Received}
		for {
			cur := path[len(path)-1]
			if cur == end || cur.Final() {
				break
			}
			if end == "" && r.IntN(6) == 0 {
				break // where it stands now: still on its way
			}
			next := cur.Next()
			// Forward most of the time: cancelling is the exception.
			choice := next[0]
			if len(next) > 1 && r.IntN(10) < 3 {
				choice = next[1+r.IntN(len(next)-1)]
			}
			if choice == Cancelled && end != Cancelled && r.IntN(3) > 0 {
				choice = next[0]
			}
			path = append(path, choice)
			if len(path) > 10 {
				break
			}
		}
		if end == "" || path[len(path)-1] == end {
			return path
		}
	}
}

// demoMyKad makes up a MyKad number of someone born 1960–1999 in Melaka.
func demoMyKad(r *rand.Rand) string {
	return fmt.Sprintf("%02d%02d%02d04%04d", 60+r.IntN(40), 1+r.IntN(12), 1+r.IntN(28), r.IntN(10000))
}
