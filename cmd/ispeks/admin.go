package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
)

func runPTJAdd(e *env, fs *flag.FlagSet, args []string) error {
	code := fs.String("code", "", "PTJ code (8 digits)")
	name := fs.String("name", "", "PTJ name")
	dept := fs.String("department", "", "department (jabatan)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *code == "" || *name == "" {
		return usageError{errors.New("--code and --name are required")}
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.admin.AddPTJ(e.ctx, store.CLI, store.PTJ{Code: *code, Name: *name, Department: *dept}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "PTJ %s added\n", strings.TrimSpace(*code))
	return nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runUserCreate(e *env, fs *flag.FlagSet, args []string) error {
	login := fs.String("login", "", "MyKad number (12 digits, dashes allowed) or a service login of 3–32 letters/digits")
	name := fs.String("name", "", "full name as on the MyKad")
	email := fs.String("email", "", "email address")
	ptj := fs.String("ptj", "", "PTJ code; PTJ-scoped roles act for this PTJ")
	roles := fs.String("role", "", "roles, comma-separated: "+joinRoles())
	modules := fs.String("module", "", "modules, comma-separated: epayslip,eec,emaklum")
	stdinPassword := fs.Bool("password-stdin", false, "read the first password from standard input (it must be changed at first login)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *login == "" || *name == "" || *email == "" || *ptj == "" || *roles == "" {
		return usageError{errors.New("--login, --name, --email, --ptj and --role are required")}
	}
	if !*stdinPassword {
		return usageError{errors.New("--password-stdin is required: the password is read from standard input, never from the command line")}
	}
	nu := useradmin.NewUser{Login: *login, Name: *name, Email: *email, PTJCode: *ptj, MustChange: true}
	for _, r := range splitList(*roles) {
		nu.Roles = append(nu.Roles, forms.RoleGrant{Role: forms.Role(r)})
	}
	for _, m := range splitList(*modules) {
		nu.Modules = append(nu.Modules, forms.Module(m))
	}
	pw, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && pw == "" {
		return errors.New("no password on standard input")
	}
	pw = strings.TrimRight(pw, "\r\n")
	normLogin, isMyKad, err := forms.ParseLogin(*login)
	if err != nil {
		return apperr.Fields(forms.Field("login", err))
	}
	pc := password.Context{Login: normLogin, Name: *name}
	if isMyKad {
		pc.ICNumber = normLogin
	}
	if err := auth.SettingsOf(&e.cfg).Policy.Check(pw, pc); err != nil {
		return err
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	nu.PasswordHash = hash
	u, err := a.admin.CreateUser(e.ctx, store.CLI, nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s created (id %d); the password must be changed at first login\n", forms.MaskLogin(u.Login), u.ID)
	return nil
}

func joinRoles() string {
	var s []string
	for _, r := range forms.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ",")
}

func runHolidayAdd(e *env, fs *flag.FlagSet, args []string) error {
	day := fs.String("day", "", "the date, YYYY-MM-DD")
	name := fs.String("name", "", "the holiday's name, e.g. Hari Kebangsaan")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *day == "" || *name == "" {
		return usageError{errors.New("--day and --name are required")}
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.admin.AddHoliday(e.ctx, store.CLI, *day, *name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "holiday %s added: reminders do not count it as a working day\n", strings.TrimSpace(*day))
	return nil
}

func runCeilingSet(e *env, fs *flag.FlagSet, args []string) error {
	role := fs.String("role", "", "role: "+joinRoles())
	amount := fs.String("rm", "", "the ceiling in ringgit, e.g. 1000000.00")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *role == "" || *amount == "" {
		return usageError{errors.New("--role and --rm are required")}
	}
	sen, err := malaysia.ParseSen(*amount)
	if err != nil {
		return apperr.Fields(forms.Field("rm", err))
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.admin.SetCeiling(e.ctx, store.CLI, forms.Role(*role), sen); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ceiling of %s set to %s\n", *role, malaysia.FormatRM(sen))
	return nil
}

func runUserUnlock(e *env, fs *flag.FlagSet, args []string) error {
	login := fs.String("login", "", "the locked profile's MyKad number or service login")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *login == "" {
		return usageError{errors.New("--login is required")}
	}
	norm, _, err := forms.ParseLogin(*login)
	if err != nil {
		return apperr.Fields(forms.Field("login", err))
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.db.UserByLogin(e.ctx, norm)
	if err != nil {
		return err
	}
	if _, err := a.auth.Unlock(e.ctx, store.CLI, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s unlocked\n", forms.MaskLogin(u.Login))
	return nil
}

func runBackup(e *env, fs *flag.FlagSet, args []string) error {
	to := fs.String("to", "", "the file to write (must not exist)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usageError{errors.New("--to is required")}
	}
	db, err := store.Open(e.ctx, e.cfg.Database, e.cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(e.ctx, *to); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database copied to %s\n", *to)
	return nil
}
