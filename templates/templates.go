// Package templates holds every page, printout and mail body of the portal,
// and its static files, embedded in the binary so that it runs from one file.
//
// Pages are html/template files: layout.html is the frame (header with the
// treasury's name, language switch, navigation, footer), and each file under
// pages/ defines "title" and "content" for one page. Words shown to users are
// in text.go in Bahasa Malaysia and English.
package templates

import "embed"

// Pages holds layout.html and pages/*.html.
//
//go:embed layout.html pages
var Pages embed.FS

// Static holds the style sheet and other files served under /static/.
//
//go:embed static
var Static embed.FS
