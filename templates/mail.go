package templates

import "embed"

// Mail holds mail/layout.tmpl, the frame every notification mail shares in
// every language; the words of each kind are in the language catalogue.
// Package notify parses it; see notify.Renderer.
//
//go:embed mail
var Mail embed.FS
