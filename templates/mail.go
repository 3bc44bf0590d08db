package templates

import "embed"

// Mail holds the notification mail templates under mail/: layout.tmpl (the
// frame every mail shares) and one <kind>.tmpl per notification kind with
// both languages. Package notify parses them; see notify.Renderer.
//
//go:embed mail
var Mail embed.FS
