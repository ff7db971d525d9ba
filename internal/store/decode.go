package store

import (
	"context"
	"encoding/json"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Skipped is a stored document that could not be read into replayctl's
// types. replayctl shares its database with the platform and whatever else
// operators run, so one foreign document must cost only itself: reads
// record it here and go on.
type Skipped struct {
	ID         string
	Collection string
	Err        error
}

func (s Skipped) Error() string {
	return fmt.Sprintf("%s document %s: %v", s.Collection, s.ID, s.Err)
}

// MarshalJSON is the `skipped` entry of every list command's JSON.
func (s Skipped) MarshalJSON() ([]byte, error) {
	msg := ""
	if s.Err != nil {
		msg = s.Err.Error()
	}
	return json.Marshal(struct {
		ID         string `json:"_id"`
		Collection string `json:"collection"`
		Error      string `json:"error"`
	}{s.ID, s.Collection, msg})
}

// Page is a read's decodable documents plus the ones it skipped. Total is
// how many match when the read knows it (a limited listing), else len(Items).
type Page[T any] struct {
	Items   []T
	Total   int64
	Skipped []Skipped
}

// DocID renders a document's _id for messages: the hex of an ObjectID, a
// string as is, anything else in extended-JSON form.
func DocID(raw bson.Raw) string {
	v, err := raw.LookupErr("_id")
	if err != nil {
		return "(no _id)"
	}
	if oid, ok := v.ObjectIDOK(); ok {
		return oid.Hex()
	}
	if s, ok := v.StringValueOK(); ok {
		return s
	}
	return v.String()
}

// DecodeEach decodes every document of cur into T, one by one, and closes
// cur. A document that does not decode, or that check rejects, is recorded
// as skipped; only a failing cursor is an error.
func DecodeEach[T any](ctx context.Context, cur *mongo.Cursor, collection string, check func(*T) error) ([]T, []Skipped, error) {
	defer cur.Close(ctx)
	var (
		out     []T
		skipped []Skipped
	)
	for cur.Next(ctx) {
		v, err := decodeOne(cur.Current, check)
		if err != nil {
			skipped = append(skipped, Skipped{ID: DocID(cur.Current), Collection: collection, Err: err})
			continue
		}
		out = append(out, v)
	}
	return out, skipped, Wrap(cur.Err())
}

func decodeOne[T any](raw bson.Raw, check func(*T) error) (T, error) {
	var v T
	if err := bson.Unmarshal(raw, &v); err != nil {
		return v, err
	}
	if check != nil {
		if err := check(&v); err != nil {
			return v, err
		}
	}
	return v, nil
}
