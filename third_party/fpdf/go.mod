module github.com/go-pdf/fpdf

go 1.20

retract (
	// v1.4.3 was tagged to retract v1.4.2
	v1.4.3
	// v1.4.2 was imported from phpdave11/gofpdf by mistake.
	v1.4.2
)

// ispeks: the upstream requirements (barcode, gofpdi, pdf417, x/image,
// pkg/errors) are used only by upstream's tests and contrib packages, which
// are not vendored here; the root package imports the standard library only.
