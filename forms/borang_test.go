package forms

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
)

// ceilings are the treasury's ceilings of the tests: RM50,000 for a
// controlling officer, RM1,000,000 for the treasury approver, none else.
var ceilings = map[Role]int64{RoleControllingOfficer: 5_000_000, RoleTreasuryApprover: 100_000_000}

// borang returns a complete, valid, normalised Borang of kind k.
func borang(k Kind) Request {
	r := Request{
		Kind:    k,
		PTJCode: "12010101",
		Subject: Subject{ICNumber: "900101045678", Name: "SITI BINTI AHMAD", Email: "siti@melaka.gov.my",
			Position: "Penolong Akauntan", Grade: "W29", SalaryNo: "A1234567"},
		Justification: "Pegawai baharu bertukar masuk ke PTJ ini.",
		Declaration:   true,
	}
	switch k {
	case KindRegistration:
		r.Modules = []Module{ModulePayslip, ModuleEC}
		r.Roles = []RoleGrant{{Role: RolePTJRep}}
	case KindAccessUpdate:
		r.Modules = []Module{ModulePayslip, ModuleMaklum}
		r.Roles = []RoleGrant{{Role: RoleControllingOfficer, ApprovalLimitSen: 1_000_000}}
	}
	return r
}

// fieldsOf returns the field names that err lists, failing unless err is
// an Invalid *apperr.Error whose every field has both messages.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Invalid {
		t.Fatalf("error = %v, want apperr.Fields", err)
	}
	var names []string
	for _, f := range e.Fields {
		if f.Message("ms") == "" || f.Message("en") == "" {
			t.Errorf("field %s lacks a message: %+v", f.Field, f)
		}
		names = append(names, f.Field)
	}
	return names
}

func validate(r Request, draft bool) error {
	return r.Validate(ValidateOptions{Draft: draft, Ceilings: ceilings, Now: today})
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	for _, tc := range []struct {
		name   string
		kind   Kind
		change func(r *Request)
		draft  bool
		want   []string // the failing fields, in order; nil if valid
	}{
		{name: "registration valid", kind: KindRegistration},
		{name: "access update valid", kind: KindAccessUpdate},
		{name: "deactivation valid", kind: KindDeactivation},
		{name: "password reset valid", kind: KindPasswordReset},
		{name: "MyKad with dashes accepted", kind: KindRegistration, change: func(r *Request) { r.Subject.ICNumber = "900101-04-5678" }},

		{name: "kind missing", kind: "", want: []string{"kind"}},
		{name: "kind unknown", kind: "upgrade", want: []string{"kind"}},

		{name: "PTJ code short", kind: KindRegistration, change: func(r *Request) { r.PTJCode = "1201" }, want: []string{"ptj_code"}},
		{name: "PTJ code missing", kind: KindDeactivation, change: func(r *Request) { r.PTJCode = "" }, want: []string{"ptj_code"}},

		{name: "MyKad missing", kind: KindRegistration, change: func(r *Request) { r.Subject.ICNumber = "" }, want: []string{"subject.ic_number"}},
		{name: "MyKad impossible date", kind: KindPasswordReset, change: func(r *Request) { r.Subject.ICNumber = "900230045678" }, want: []string{"subject.ic_number"}},
		{name: "MyKad unknown place", kind: KindAccessUpdate, change: func(r *Request) { r.Subject.ICNumber = "900101175678" }, want: []string{"subject.ic_number"}},

		{name: "name missing", kind: KindRegistration, change: func(r *Request) { r.Subject.Name = "  " }, want: []string{"subject.name"}},
		{name: "name at limit", kind: KindRegistration, change: func(r *Request) { r.Subject.Name = long(MaxNameLen) }},
		{name: "name too long", kind: KindRegistration, change: func(r *Request) { r.Subject.Name = long(MaxNameLen + 1) }, want: []string{"subject.name"}},
		{name: "name counts characters, not bytes", kind: KindRegistration, change: func(r *Request) { r.Subject.Name = strings.Repeat("É", MaxNameLen) }},
		{name: "name with a control character", kind: KindRegistration, change: func(r *Request) { r.Subject.Name = "SITI\x00" }, want: []string{"subject.name"}},
		{name: "name not UTF-8", kind: KindRegistration, change: func(r *Request) { r.Subject.Name = "SITI \xff" }, want: []string{"subject.name"}},

		{name: "email required for registration", kind: KindRegistration, change: func(r *Request) { r.Subject.Email = "" }, want: []string{"subject.email"}},
		{name: "email optional for access update", kind: KindAccessUpdate, change: func(r *Request) { r.Subject.Email = "" }},
		{name: "email optional for password reset", kind: KindPasswordReset, change: func(r *Request) { r.Subject.Email = "" }},
		{name: "email given must be valid", kind: KindDeactivation, change: func(r *Request) { r.Subject.Email = "siti@melaka" }, want: []string{"subject.email"}},

		{name: "position optional", kind: KindRegistration, change: func(r *Request) { r.Subject.Position = "" }},
		{name: "position too long", kind: KindRegistration, change: func(r *Request) { r.Subject.Position = long(MaxPositionLen + 1) }, want: []string{"subject.position"}},
		{name: "grade optional", kind: KindRegistration, change: func(r *Request) { r.Subject.Grade = "" }},
		{name: "grade too long", kind: KindRegistration, change: func(r *Request) { r.Subject.Grade = long(MaxGradeLen + 1) }, want: []string{"subject.grade"}},
		{name: "salary number optional", kind: KindRegistration, change: func(r *Request) { r.Subject.SalaryNo = "" }},
		{name: "salary number invalid", kind: KindRegistration, change: func(r *Request) { r.Subject.SalaryNo = "A-1" }, want: []string{"subject.salary_no"}},

		{name: "registration without modules", kind: KindRegistration, change: func(r *Request) { r.Modules = nil }, want: []string{"modules"}},
		{name: "registration with roles but no modules", kind: KindRegistration, change: func(r *Request) { r.Modules = []Module{} }, want: []string{"modules"}},
		{name: "registration without roles", kind: KindRegistration, change: func(r *Request) { r.Roles = nil }},
		{name: "unknown module", kind: KindRegistration, change: func(r *Request) { r.Modules = append(r.Modules, "egaji") }, want: []string{"modules"}},
		{name: "access update with nothing", kind: KindAccessUpdate, change: func(r *Request) { r.Modules, r.Roles = nil, nil }, want: []string{"modules"}},
		{name: "access update with modules only", kind: KindAccessUpdate, change: func(r *Request) { r.Roles = nil }},
		{name: "access update with roles only", kind: KindAccessUpdate, change: func(r *Request) { r.Modules = nil }},
		{name: "deactivation with modules", kind: KindDeactivation, change: func(r *Request) { r.Modules = []Module{ModulePayslip} }, want: []string{"modules"}},
		{name: "deactivation with roles", kind: KindDeactivation, change: func(r *Request) { r.Roles = []RoleGrant{{Role: RoleAuditor}} }, want: []string{"roles"}},
		{name: "password reset with modules and roles", kind: KindPasswordReset,
			change: func(r *Request) {
				r.Modules, r.Roles = []Module{ModuleEC}, []RoleGrant{{Role: "nobody", ApprovalLimitSen: -1}}
			},
			want: []string{"modules", "roles"}},

		{name: "role unknown", kind: KindRegistration, change: func(r *Request) { r.Roles = []RoleGrant{{Role: "king"}} }, want: []string{"roles[0].role"}},
		{name: "role missing", kind: KindRegistration, change: func(r *Request) { r.Roles = []RoleGrant{{}} }, want: []string{"roles[0].role"}},
		{name: "role listed twice", kind: KindAccessUpdate,
			change: func(r *Request) { r.Roles = []RoleGrant{{Role: RoleAuditor}, {Role: RolePTJRep}, {Role: RoleAuditor}} },
			want:   []string{"roles[2].role"}},
		{name: "approval limit negative", kind: KindRegistration, change: func(r *Request) { r.Roles[0].ApprovalLimitSen = -1 }, want: []string{"roles[0].approval_limit_sen"}},
		{name: "approval limit at ceiling", kind: KindAccessUpdate, change: func(r *Request) { r.Roles[0].ApprovalLimitSen = 5_000_000 }},
		{name: "approval limit above ceiling", kind: KindAccessUpdate,
			change: func(r *Request) {
				r.Roles = []RoleGrant{{Role: RoleAuditor}, {Role: RoleControllingOfficer, ApprovalLimitSen: 5_000_001}}
			},
			want: []string{"roles[1].approval_limit_sen"}},
		{name: "approval limit for a role without ceiling", kind: KindRegistration, change: func(r *Request) { r.Roles[0].ApprovalLimitSen = 1 }, want: []string{"roles[0].approval_limit_sen"}},
		{name: "unknown role and negative limit", kind: KindRegistration,
			change: func(r *Request) { r.Roles = []RoleGrant{{Role: "king", ApprovalLimitSen: -5}} },
			want:   []string{"roles[0].role", "roles[0].approval_limit_sen"}},

		{name: "justification missing", kind: KindRegistration, change: func(r *Request) { r.Justification = "" }, want: []string{"justification"}},
		{name: "justification too long", kind: KindRegistration, change: func(r *Request) { r.Justification = long(MaxJustificationLen + 1) }, want: []string{"justification"}},
		{name: "justification on several lines", kind: KindRegistration, change: func(r *Request) { r.Justification = "Baris satu.\n\tBaris dua." }},
		{name: "justification with a control character", kind: KindRegistration, change: func(r *Request) { r.Justification = "a\x1b[31m" }, want: []string{"justification"}},

		{name: "declaration missing", kind: KindRegistration, change: func(r *Request) { r.Declaration = false }, want: []string{"declaration"}},
		{name: "declaration not needed in a draft", kind: KindRegistration, change: func(r *Request) { r.Declaration = false }, draft: true},
		{name: "a draft still needs the rest", kind: KindRegistration, change: func(r *Request) { r.Declaration, r.Justification = false, "" }, draft: true, want: []string{"justification"}},

		{name: "everything wrong at once", kind: KindRegistration,
			change: func(r *Request) {
				*r = Request{Kind: KindRegistration, PTJCode: "x", Subject: Subject{ICNumber: "1", Email: "x", Position: long(101), Grade: long(11), SalaryNo: "?"},
					Modules: []Module{"x"}, Roles: []RoleGrant{{Role: "x"}, {Role: RoleAuditor, ApprovalLimitSen: 1}}}
			},
			want: []string{"ptj_code", "subject.ic_number", "subject.name", "subject.email", "subject.position", "subject.grade",
				"subject.salary_no", "modules", "roles[0].role", "roles[1].approval_limit_sen", "justification", "declaration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := borang(tc.kind)
			if tc.change != nil {
				tc.change(&r)
			}
			if got := fieldsOf(t, validate(r, tc.draft)); !slices.Equal(got, tc.want) {
				t.Errorf("failing fields %q, want %q", got, tc.want)
			}
		})
	}
}

// TestValidateOfficialDomains: with the treasury's list of official
// domains, the subject's e-mail must be under one of them, for every kind
// that carries one; an empty optional e-mail stays empty.
func TestValidateOfficialDomains(t *testing.T) {
	for _, tc := range []struct {
		name, email string
		kind        Kind
		want        string // the message key of subject.email; "" if valid
	}{
		{"official", "siti@melaka.gov.my", KindRegistration, ""},
		{"the domain itself", "siti@gov.my", KindRegistration, ""},
		{"private mail", "siti@gmail.com", KindRegistration, "email.not_official"},
		{"private mail on a reset", "siti@gmail.com", KindPasswordReset, "email.not_official"},
		{"no e-mail on a reset", "", KindPasswordReset, ""},
		{"malformed: the shape's message, not the domain's", "siti@", KindRegistration, "email.invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := borang(tc.kind)
			r.Subject.Email = tc.email
			err := r.Validate(ValidateOptions{Ceilings: ceilings, Now: today, OfficialDomains: []string{"gov.my"}})
			var got string
			if fields := fieldsOf(t, err); len(fields) > 0 {
				if !slices.Equal(fields, []string{FieldEmail}) {
					t.Fatalf("failing fields %q", fields)
				}
				got = apperr.As(err).Fields[0].Text.Key
			}
			if got != tc.want {
				t.Fatalf("message %q, want %q", got, tc.want)
			}
		})
	}
}

// Validate returns an untyped nil, so that err != nil means an error.
func TestValidateNil(t *testing.T) {
	var err error = validate(borang(KindRegistration), false)
	if err != nil {
		t.Fatalf("Validate = %v", err)
	}
}

func TestValidateCeilingMessage(t *testing.T) {
	r := borang(KindAccessUpdate)
	r.Roles[0].ApprovalLimitSen = 9_000_000
	e := apperr.As(validate(r, false))
	if len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Message("ms"), "RM50,000.00") || !strings.Contains(e.Fields[0].Message("en"), "RM50,000.00") {
		t.Errorf("ceiling message %+v does not show RM50,000.00", e.Fields)
	}
	// With no ceilings at all, every limit but 0 is refused.
	r.Roles[0].ApprovalLimitSen = 1
	if err := r.Validate(ValidateOptions{Now: today}); !strings.Contains(apperr.As(err).Fields[0].Message("en"), "RM0.00") {
		t.Errorf("no ceilings: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	r := Request{
		Kind:    " Registration ",
		PTJCode: " 12010101 ",
		Subject: Subject{ICNumber: " 900101-04-5678 ", Name: "  siti   binti\tahmad ", Email: " Siti@Melaka.Gov.My ",
			Position: " Penolong   Akauntan ", Grade: " w 29 ", SalaryNo: " a123 "},
		Modules:       []Module{" EMAKLUM", "epayslip", "eec", "epayslip", "", "xyz", "XYZ"},
		Roles:         []RoleGrant{{Role: " PTJ_REP "}, {Role: "auditor"}, {Role: "auditor"}},
		Justification: "\r\n Baris satu.\r\nBaris dua. \r\n",
		Declaration:   true,
	}
	want := Request{
		Kind:    KindRegistration,
		PTJCode: "12010101",
		Subject: Subject{ICNumber: "900101045678", Name: "SITI BINTI AHMAD", Email: "Siti@melaka.gov.my",
			Position: "Penolong Akauntan", Grade: "W 29", SalaryNo: "A123"},
		Modules:       []Module{ModulePayslip, ModuleEC, ModuleMaklum, "xyz"},
		Roles:         []RoleGrant{{Role: RolePTJRep}, {Role: RoleAuditor}, {Role: RoleAuditor}}, // duplicates are for Validate to refuse
		Justification: "Baris satu.\nBaris dua.",
		Declaration:   true,
	}
	r.Normalize()
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Normalize =\n%+v\nwant\n%+v", r, want)
	}
	r.Normalize()
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Normalize is not idempotent: %+v", r)
	}
	var empty Request
	empty.Normalize()
	if empty.Modules != nil {
		t.Errorf("no modules became %#v", empty.Modules)
	}
}

// The JSON names are the API's.
func TestRequestJSON(t *testing.T) {
	b, err := json.Marshal(borang(KindRegistration))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"registration","ptj_code":"12010101","subject":{"ic_number":"900101045678","name":"SITI BINTI AHMAD",` +
		`"email":"siti@melaka.gov.my","position":"Penolong Akauntan","grade":"W29","salary_no":"A1234567"},` +
		`"modules":["epayslip","eec"],"roles":[{"role":"ptj_rep","approval_limit_sen":0}],` +
		`"justification":"Pegawai baharu bertukar masuk ke PTJ ini.","declaration":true}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
}

func TestLabels(t *testing.T) {
	if got := KindLabel(KindRegistration, "ms"); got != "Pendaftaran Baharu" {
		t.Errorf("KindLabel ms = %q", got)
	}
	if got := KindLabel(KindRegistration, "en"); got != "New registration" {
		t.Errorf("KindLabel en = %q", got)
	}
	if got := KindLabel(KindRegistration, ""); got != "Pendaftaran Baharu" {
		t.Errorf("KindLabel default = %q, want BM", got)
	}
	check := func(id, ms, en string) {
		t.Helper()
		if ms == "" || en == "" || ms == id || en == id || ms == en && id != "" {
			t.Errorf("%s: labels %q / %q", id, ms, en)
		}
	}
	for _, k := range Kinds {
		check(string(k), KindLabel(k, "ms"), KindLabel(k, "en"))
	}
	for _, r := range Roles {
		check(string(r), RoleLabel(r, "ms"), RoleLabel(r, "en"))
	}
	for _, m := range Modules {
		check(string(m), ModuleLabel(m, "ms"), ModuleLabel(m, "en"))
	}
	if RoleLabel("king", "en") != "king" || ModuleLabel("egaji", "ms") != "egaji" {
		t.Error("an unknown id should show as itself")
	}
}

func TestDatabaseRuleMessages(t *testing.T) {
	for _, tc := range []struct {
		f     apperr.FieldError
		field string
	}{
		{ErrPTJUnknown("12010101"), "ptj_code"},
		{ErrSubjectHasProfile(), "subject.ic_number"},
		{ErrSubjectUnavailable(), "subject.ic_number"},
	} {
		if tc.f.Field != tc.field || tc.f.Message("ms") == "" || tc.f.Message("en") == "" {
			t.Errorf("%+v, want field %s with both messages", tc.f, tc.field)
		}
	}
	if !strings.Contains(ErrPTJUnknown("12010101").Message("ms"), "12010101") {
		t.Error("ErrPTJUnknown does not name the code")
	}
	err := ErrOpenRequestExists("BPP/2026/000123")
	if err.Code != apperr.Conflict || !strings.Contains(err.Message("ms"), "BPP/2026/000123") || !strings.Contains(err.Message("en"), "BPP/2026/000123") {
		t.Errorf("ErrOpenRequestExists = %+v", err)
	}
}
