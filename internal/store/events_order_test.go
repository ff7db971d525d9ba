package store

import (
	"errors"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

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

func TestIsCursorLost(t *testing.T) {
	for code, want := range map[int32]bool{43: true, 175: true, 237: true, 292: false, 13: false} {
		err := fmt.Errorf("getMore: %w", mongo.CommandError{Code: code, Message: "x"})
		if got := IsCursorLost(err); got != want {
			t.Errorf("code %d: IsCursorLost = %v, want %v", code, got, want)
		}
	}
	if IsCursorLost(errors.New("connection reset")) {
		t.Error("a plain error counted as a lost cursor")
	}
}
