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

func TestTrigramsApart(t *testing.T) {
	for _, tc := range []struct {
		name, part string
		want       string // FTSAll of its trigrams; "" when the part is asked for whole
	}{
		{"under nine characters: whole", "aisyah b", ""},
		{"nine: three side by side", "ahmad bin", `("ahm" AND "ad " AND "bin")`},
		{"longer: four apart, the first and the last among them", "MAJU CEMERLANG TEKNOLOGI SDN BHD", `("maj" AND "rla" AND "nol" AND "bhd")`},
		{"the last ends the part", "wong bin zakaria", `("won" AND "g b" AND "zak" AND "ria")`},
		{"a quote is doubled", `abc"defghij`, `("abc" AND """de" AND "fgh" AND "hij")`},
		{"beyond ASCII: whole", "élan bin abu", ""},
	} {
		grams, ok := TrigramsApart(tc.part)
		got := ""
		if ok {
			got = FTSAll(grams)
		}
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s: TrigramsApart(%q) = %q, %v, want %q", tc.name, tc.part, grams, ok, tc.want)
		}
	}
}

func TestLikeApartPattern(t *testing.T) {
	for _, tc := range []struct {
		name, part string
		want       string // "" when the part is compared whole
	}{
		{"under nine characters: whole", "aisyah b", ""},
		{"apart, in their order", "kamarulbinsalleh", "%kam%aru%nsa%leh%"},
		{"the last overlapping the one before: one piece", "aisyahbinti", "%ais%yah%binti%"},
		{"side by side: pieces apart", "ahmad bin", "%ahm%ad %bin%"},
		{"in small letters", "MAJU CEMERLANG TEKNOLOGI SDN BHD", "%maj%rla%nol%bhd%"},
		{"LIKE's wildcards as letters", `50%_off\sale`, `%50\%%\_of%f\\s%ale%`},
		{"beyond ASCII: whole", "élan bin abu", ""},
	} {
		got, ok := likeApartPattern(tc.part)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s: likeApartPattern(%q) = %q, %v, want %q", tc.name, tc.part, got, ok, tc.want)
		}
	}
}
