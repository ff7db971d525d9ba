package store

import "testing"

func TestCoversReplayOrder(t *testing.T) {
	one := map[string]bool{"event_type": true}
	cases := []struct {
		keys  []string
		dirs  []float64
		fixed map[string]bool
		want  bool
	}{
		{[]string{"timestamp", "_id"}, []float64{1, 1}, nil, true},
		{[]string{"timestamp", "_id"}, []float64{-1, -1}, nil, true}, // walked backwards
		{[]string{"timestamp", "_id"}, []float64{1, -1}, nil, false},
		{[]string{"timestamp"}, []float64{1}, nil, false},
		{[]string{"event_type", "timestamp"}, []float64{1, 1}, one, false}, // the platform's index
		{[]string{"event_type", "timestamp", "_id"}, []float64{1, 1, 1}, one, true},
		{[]string{"event_type", "timestamp", "_id"}, []float64{1, 1, 1}, nil, false},
		{[]string{"timestamp", "_id", "event_type"}, []float64{1, 1, 1}, one, true},
		{[]string{"_id"}, []float64{1}, nil, false},
	}
	for _, c := range cases {
		if got := CoversReplayOrder(c.keys, c.dirs, c.fixed); got != c.want {
			t.Errorf("%v %v fixed %v: covers = %v, want %v", c.keys, c.dirs, c.fixed, got, c.want)
		}
	}
}
