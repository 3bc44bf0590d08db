package store

import "testing"

func TestJoinedName(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		want    string // "" when s is not read joined
	}{
		{"one word is read as it is", "aisyah", ""},
		{"words are joined, in small letters", "Kamarul bin Salleh", "kamarulbinsalleh"},
		{"spaces typed twice or around are one", "  nur   aisyah ", "nuraisyah"},
		{"short words too", "ali a kadir", "aliakadir"},
		{"under three letters joined has no trigram", "a b", ""},
		{"digits are a MyKad's, read as they are", "850101 01", ""},
		{"not ASCII is read as it is", "józef nowak", ""},
	} {
		got, ok := joinedName(tc.s)
		if ok != (tc.want != "") || got != tc.want && ok {
			t.Errorf("%s: joinedName(%q) = %q, %v, want %q", tc.name, tc.s, got, ok, tc.want)
		}
	}
}
