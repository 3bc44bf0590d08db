package password

import (
	_ "embed"
	"strings"
	"sync"
)

// commonTxt is the top 30,000 of zxcvbn's ranked list of leaked passwords,
// copied from github.com/trustelem/zxcvbn v1.0.1 data/passwords.txt (a Go
// port of dropbox/zxcvbn 4.4.2; MIT licence, kept in common_LICENSE.txt).
// The module is not a dependency: only the data was taken.
//
//go:embed common.txt
var commonTxt string

// localTxt is the project's own list of weak passwords typical of Malaysian
// government offices ("Malaysia", "Putrajaya", "Perbendaharaan", "ispeks"…),
// which an English-language breach list ranks too low or misses.
//
//go:embed local.txt
var localTxt string

// commonPasswords returns the set of both lists, lower-cased, built on first
// use (about 30,000 entries) rather than at start-up, since only password
// changes need it.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 31000)
	for _, list := range []string{commonTxt, localTxt} {
		for line := range strings.Lines(list) {
			w := strings.ToLower(strings.TrimSpace(line))
			if w != "" && !strings.HasPrefix(w, "#") { // "#" starts a comment line
				set[w] = struct{}{}
			}
		}
	}
	return set
})
