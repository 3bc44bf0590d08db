package store

import (
	"slices"
	"testing"
)

func TestNameWords(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		want    []string
	}{
		{"one word is a phrase", "aisyah", nil},
		{"words of four characters or more", "nur aisyah hock", []string{"aisyah", "hock"}},
		{"the short words of a name are left to LIKE", "kamarul bin salleh", []string{"kamarul", "salleh"}},
		{"words of three characters only are all read", "tan lim", []string{"tan", "lim"}},
		{"a word under three characters makes it a phrase", "ali a kadir", nil},
		{"digits are a MyKad's, a phrase", "850101 01", nil},
		{"not ASCII is a phrase", "józef nowak", nil},
	} {
		if got := nameWords(tc.s); !slices.Equal(got, tc.want) {
			t.Errorf("%s: nameWords(%q) = %q, want %q", tc.name, tc.s, got, tc.want)
		}
	}
}
