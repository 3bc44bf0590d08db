package store_test

import (
	"testing"

	"github.com/perbendaharaan/ispeks/store"
)

func TestTotals(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  store.Total
		want store.Total
	}{
		{"a count under the limit is exact", store.CountedTotal(999), store.Total{N: 999, Exact: true}},
		{"a count at the limit is exact", store.CountedTotal(store.CountLimit), store.Total{N: store.CountLimit, Exact: true}},
		{"a count past the limit is more than the limit", store.CountedTotal(store.CountLimit + 1), store.Total{N: store.CountLimit}},
		{"two exact totals add up exactly", store.ExactTotal(2).Plus(store.ExactTotal(3)), store.ExactTotal(5)},
		{"a sum with an inexact total is more than the sum", store.ExactTotal(2).Plus(store.CountedTotal(5000)), store.Total{N: 1002}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
}
