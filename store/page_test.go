package store_test

import (
	"errors"
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

func TestInBatches(t *testing.T) {
	failed := errors.New("failed")
	for _, tc := range []struct {
		name      string
		batches   []int // what each call does
		failAt    int   // the call that fails (1-based), 0 for none
		wantTotal int
		wantCalls int
	}{
		{"stops after a batch smaller than the size", []int{10, 10, 3}, 0, 23, 3},
		{"an empty first batch is the end", []int{0}, 0, 0, 1},
		{"a full last batch costs one more call that finds nothing", []int{10, 10, 0}, 0, 20, 3},
		{"a failure stops it with what was done", []int{10, 4}, 2, 14, 2},
	} {
		calls := 0
		total, err := store.InBatches(10, func() (int, error) {
			calls++
			if calls == tc.failAt {
				return tc.batches[calls-1], failed
			}
			return tc.batches[calls-1], nil
		})
		if total != tc.wantTotal || calls != tc.wantCalls || (tc.failAt != 0) != errors.Is(err, failed) {
			t.Errorf("%s: total %d after %d calls (%v), want %d after %d", tc.name, total, calls, err, tc.wantTotal, tc.wantCalls)
		}
	}
}
