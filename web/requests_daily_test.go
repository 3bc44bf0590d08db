package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Returned requests, supporting documents, the Borang's words per kind and
// the messages after each action (issue 14), through the pages only.

// postFile posts a multipart form with one file, as the attachment forms do.
func (b *browser) postFile(path, name string, data []byte, fields ...string) response {
	b.e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = w.WriteField(fields[i], fields[i+1])
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		b.e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = w.Close()
	req, err := http.NewRequest("POST", b.e.ts.URL+path, &buf)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body), Header: resp.Header}
}

// fakePDF is a file that starts as a PDF does, n bytes long, its content
// told apart by seed.
func fakePDF(n int, seed byte) []byte {
	b := bytes.Repeat([]byte{'a' + seed%26}, n)
	copy(b, "%PDF-1.4\n")
	return b
}

var pngFile = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

// attachments counts the attachment rows of request id.
func (c *pagesCast) attachments(t *testing.T, id int64) int {
	t.Helper()
	n, err := c.e.db.IDB().NewSelect().Table("request_attachments").Where("request_id = ?", id).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// audited counts the audit records of action about object.
func (c *pagesCast) audited(t *testing.T, action, object string) int {
	t.Helper()
	n, err := c.e.db.IDB().NewSelect().Model((*store.AuditRecord)(nil)).Where("action = ? AND object_id = ?", action, object).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestPagesAttachments(t *testing.T) {
	c := newPagesCast(t)
	draft := borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal")
	draft.Set("draft", "1")
	id := c.create(t, draft)
	path := fmt.Sprintf("/requests/%d", id)
	expect(t, "draft page", c.landed, 200, `action="`+path+`/attachments"`, "5.0 MB setiap fail dan 20.0 MB bagi setiap permohonan")

	surat := fakePDF(1000, 0)
	for _, tc := range []struct {
		name, file string
		data       []byte
		status     int
		want       string
		rows       int // attachments after it
	}{
		{"a PDF", "surat lantikan.pdf", surat, 200, "Lampiran surat lantikan.pdf telah ditambah.", 1},
		{"a PNG sent as .pdf keeps its type", "gambar.pdf", pngFile, 200, "Lampiran gambar.png telah ditambah.", 2},
		{"a program named .pdf", "surat.pdf", append([]byte("MZ\x90\x00"), surat...), 422, "bukan PDF, JPEG atau PNG", 2},
		{"text named .png", "nota.png", []byte("hello, world"), 422, "bukan PDF, JPEG atau PNG", 2},
		{"no file", "", nil, 422, "Sila pilih fail untuk dilampirkan.", 2},
		{"over 5 MB", "besar.pdf", fakePDF(5<<20+1, 1), 422, "melebihi had 5 MiB setiap fail", 2},
		{"the same file again", "salinan.pdf", surat, 409, "telah pun dilampirkan", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.rep.postFile(path+"/attachments", tc.file, tc.data)
			if tc.file == "" {
				r = c.rep.post(path+"/attachments", url.Values{})
			}
			if r.Location != path {
				t.Fatalf("went to %q (%d), not back to the request", r.Location, r.Status)
			}
			expect(t, tc.name, c.rep.get(r.Location), tc.status, tc.want)
			if n := c.attachments(t, id); n != tc.rows {
				t.Fatalf("%d attachments, want %d", n, tc.rows)
			}
		})
	}
	// 20 MB a request: 5 MB files until one would pass it; that one is refused whole.
	for i := byte(2); ; i++ {
		before := c.attachments(t, id)
		r := c.rep.landOn(c.rep.postFile(path+"/attachments", fmt.Sprintf("lampiran-%d.pdf", i), fakePDF(5<<20, i)))
		if r.Status == http.StatusOK {
			continue
		}
		expect(t, "over the request's total", r, 422, "melebihi had 20 MiB bagi setiap permohonan")
		if c.attachments(t, id) != before || i != 5 {
			t.Fatalf("refused at file %d, with %d attachments after", i, c.attachments(t, id))
		}
		break
	}

	// Removing needs the confirmation; a second click is told the file is gone.
	var png store.Attachment
	if err := c.e.db.IDB().NewSelect().Model(&png).Column("id").Where("request_id = ? AND name = ?", id, "gambar.png").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	remove := fmt.Sprintf("%s/attachments/%d/remove", path, png.ID)
	expect(t, "remove unconfirmed", c.rep.landOn(c.rep.post(remove, url.Values{})), 422, "Saya mengesahkan")
	expect(t, "remove", c.rep.landOn(c.rep.post(remove, url.Values{"confirm": {"1"}})), 200, "Lampiran gambar.png telah dibuang.")
	expect(t, "remove twice", c.rep.landOn(c.rep.post(remove, url.Values{"confirm": {"1"}})), 404, "Lampiran ini tiada")

	// Submitted: listed for the officer and on the print page, downloadable
	// by those who see the request, audited; no longer changed.
	v := borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal")
	v.Set("version", fmt.Sprint(c.stored(t, id).Version))
	if r := c.rep.post(path+"/edit", v); r.Location != path {
		t.Fatalf("submit: %d %q", r.Status, r.Location)
	}
	var pdf store.Attachment
	if err := c.e.db.IDB().NewSelect().Model(&pdf).Column("id").Where("request_id = ? AND name = ?", id, "surat lantikan.pdf").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	download := fmt.Sprintf("%s/attachments/%d", path, pdf.ID)
	expect(t, "officer's page", c.officer.get(path), 200, "surat lantikan.pdf", download)
	expect(t, "print", c.officer.get(path+"/print"), 200, "surat lantikan.pdf", "PDF")
	got := c.officer.get(download)
	expect(t, "download", got, 200)
	if got.Body != string(surat) || got.Header.Get("Content-Type") != forms.TypePDF ||
		!strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("download: %q %q, %d bytes", got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"), len(got.Body))
	}
	expect(t, "other PTJ's download", c.other.get(download), 404)
	expect(t, "another request's path", c.officer.get(fmt.Sprintf("/requests/%d/attachments/%d", id+1, pdf.ID)), 404)
	ref := c.stored(t, id).Reference
	for action, want := range map[string]int{"attachment.add": 5, "attachment.remove": 1, "attachment.download": 1} {
		if n := c.audited(t, action, ref); n != want {
			t.Errorf("%d %s records, want %d", n, action, want)
		}
	}
	expect(t, "attach after submit", c.rep.landOn(c.rep.postFile(path+"/attachments", "lagi.pdf", fakePDF(100, 9))), 409,
		"hanya boleh ditambah atau dibuang semasa permohonan berstatus Draf")
	if strings.Contains(c.rep.get(path).Body, `action="`+path+`/attachments"`) {
		t.Fatal("a submitted request still offers to attach")
	}
}

func TestPagesReturnedRequestLeadsWithRemarks(t *testing.T) {
	c := newPagesCast(t)
	id := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal"))
	path := fmt.Sprintf("/requests/%d", id)
	ref := c.stored(t, id).Reference
	expect(t, "reply before any return", c.rep.landOn(c.rep.post(path+"/reply",
		url.Values{"version": {fmt.Sprint(c.stored(t, id).Version)}, "remarks": {"Awal."}})), 409, "semasa permohonan dikembalikan")

	r := c.act(c.officer, id, c.stored(t, id).Version, "return", "remarks", "Sila lampirkan surat lantikan.")
	expect(t, "returned, as the officer sees it", c.officer.get(r.Location), 200, "Menunggu pindaan oleh Wakil PTJ.", "E-mel dihantar kepada Aminah Rep (Wakil PTJ).")

	page := c.rep.get(path)
	expect(t, "returned page", page, 200, "Perlu tindakan anda", "Sila lampirkan surat lantikan.", "Badrul Officer",
		`class="button primary" href="`+path+`/edit">Pinda dan hantar semula`, "Hantar balasan", "Tarik balik")
	remarks, actions := strings.Index(page.Body, "Sila lampirkan surat lantikan."), strings.Index(page.Body, `id="actions-h"`)
	if remarks < 0 || actions < 0 || remarks > actions || remarks > strings.Index(page.Body, "A. ") {
		t.Fatal("the remarks do not lead the page")
	}

	v := c.stored(t, id).Version
	for _, tc := range []struct {
		name, text string
		status     int
		want       string
	}{
		{"empty", "  ", 422, "Sila tulis balasan anda."},
		{"a reply", "Surat akan dilampirkan esok.", 200, "Balasan anda telah disimpan dalam sejarah " + ref},
	} {
		got := c.rep.landOn(c.rep.post(path+"/reply", url.Values{"version": {fmt.Sprint(v)}, "remarks": {tc.text}}))
		expect(t, tc.name, got, tc.status, tc.want)
	}
	if r := c.stored(t, id); r.State != workflow.Returned {
		t.Fatalf("a reply moved the request to %s", r.State)
	}
	if n := c.audited(t, "request.reply", ref); n != 1 {
		t.Fatalf("%d reply records", n)
	}
	expect(t, "the officer reads the reply", c.officer.get(path), 200, "Balasan kepada catatan", "Surat akan dilampirkan esok.")
	expect(t, "other PTJ's reply", c.other.post(path+"/reply", url.Values{"version": {fmt.Sprint(c.stored(t, id).Version)}, "remarks": {"x"}}), 404)

	// Withdraw stays, and still needs the confirmation.
	expect(t, "withdraw unconfirmed", c.rep.landOn(c.act(c.rep, id, c.stored(t, id).Version, "withdraw")), 422, "Saya mengesahkan")
	got := c.rep.landOn(c.act(c.rep, id, c.stored(t, id).Version, "withdraw", "confirm", "1"))
	expect(t, "withdrawn", got, 200, "Selesai: tiada tindakan lanjut.")
	if strings.Contains(got.Body, "Perlu tindakan anda") {
		t.Fatal("a withdrawn request still asks for amendment")
	}
}

func TestPagesBorangFitsTheKind(t *testing.T) {
	c := newPagesCast(t)
	for _, tc := range []struct {
		kind         forms.Kind
		want, absent []string
	}{
		{forms.KindRegistration, []string{"capaian yang dimohon diperlukan", "pautan sekali guna"}, nil},
		{forms.KindAccessUpdate, []string{"perubahan capaian yang dimohon"}, []string{"pautan sekali guna"}},
		{forms.KindDeactivation, []string{"tidak lagi diperlukan"}, []string{"pautan sekali guna", "capaian yang dimohon", "menetapkan kata laluan"}},
		{forms.KindPasswordReset, []string{"identiti pegawai", "pautan sekali guna"}, nil},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			page := c.rep.get("/requests/new?kind=" + string(tc.kind))
			expect(t, "form", page, 200, append(tc.want, "12010101 — Jabatan Kewangan Negeri")...)
			for _, a := range append(tc.absent, `name="ptj_code"`) {
				if strings.Contains(page.Body, a) {
					t.Errorf("the %s form says %q", tc.kind, a)
				}
			}
		})
	}
	// After a lookup the MyKad keeps its dashes.
	expect(t, "lookup", c.rep.get("/requests/new?kind=deactivation&ic=950505086666"), 200, `value="950505-08-6666"`)
	// The PTJ is the representative's own, whatever a form says.
	v := borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal")
	v.Set("ptj_code", "12020202")
	if r := c.stored(t, c.create(t, v)); r.PTJCode != pgPTJ {
		t.Fatalf("filed for PTJ %s", r.PTJCode)
	}
}

func TestPagesProvisioningNamesTheAddress(t *testing.T) {
	c := newPagesCast(t)
	id := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal"))
	c.approve(t, c.officer, id)
	expect(t, "treasury's turn", c.officer.get(fmt.Sprintf("/requests/%d", id)), 200, "Menunggu kelulusan Perbendaharaan Negeri.")
	c.approve(t, c.treasury, id)
	got := c.admin.landOn(c.act(c.admin, id, c.stored(t, id).Version, "provision", "confirm", "1"))
	expect(t, "provisioned", got, 200, "Selesai: profil telah dikemas kini.",
		"Pautan sekali guna untuk menetapkan kata laluan dihantar kepada NUR AISYAH BINTI KAMAL di peg***@melaka.gov.my.")
}

// TestPagesOutcomeIsShownOnceAndExpires: what a POST leaves for its page
// is shown by the first view only, and not at all ten minutes later.
func TestPagesOutcomeIsShownOnceAndExpires(t *testing.T) {
	c := newPagesCast(t)
	id := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal"))
	path := fmt.Sprintf("/requests/%d", id)
	const refused = "Saya mengesahkan tindakan ini"
	expect(t, "refused", c.officer.landOn(c.act(c.officer, id, c.stored(t, id).Version, "approve")), 422, refused, `class="field-error"`)
	if r := c.officer.get(path); r.Status != 200 || strings.Contains(r.Body, `class="field-error"`) {
		t.Fatalf("the reload shows the refusal again: %d", r.Status)
	}
	c.act(c.officer, id, c.stored(t, id).Version, "approve")
	c.e.advance(11 * time.Minute)
	if r := c.officer.get(path); r.Status != 200 || strings.Contains(r.Body, `class="field-error"`) {
		t.Fatalf("a refusal shown after ten minutes: %d", r.Status)
	}
}
