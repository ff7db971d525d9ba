package seed_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// doc reads typed fields of a raw document, failing the test on a wrong
// BSON type: the contract is about stored types, not decodability.
type doc struct {
	t   *testing.T
	raw bson.Raw
}

func (d doc) value(key ...string) bson.RawValue {
	d.t.Helper()
	v, err := d.raw.LookupErr(key...)
	if err != nil {
		d.t.Fatalf("%v missing in %s", key, d.raw)
	}
	return v
}

func (d doc) has(key ...string) bool {
	_, err := d.raw.LookupErr(key...)
	return err == nil
}

func (d doc) str(key ...string) string {
	d.t.Helper()
	s, ok := d.value(key...).StringValueOK()
	if !ok {
		d.t.Fatalf("%v is %s, want string, in %s", key, d.value(key...).Type, d.raw)
	}
	return s
}

func (d doc) date(key ...string) time.Time {
	d.t.Helper()
	ms, ok := d.value(key...).DateTimeOK()
	if !ok {
		d.t.Fatalf("%v is %s, want BSON date, in %s", key, d.value(key...).Type, d.raw)
	}
	return time.UnixMilli(ms).UTC()
}

func (d doc) isNull(key ...string) bool {
	d.t.Helper()
	return d.value(key...).Type == bson.TypeNull
}

func (d doc) integer(key ...string) int {
	d.t.Helper()
	v := d.value(key...)
	if v.Type != bson.TypeInt32 && v.Type != bson.TypeInt64 {
		d.t.Fatalf("%v is %s, want integer, in %s", key, v.Type, d.raw)
	}
	return int(v.AsInt64())
}

func (d doc) sub(key ...string) doc {
	d.t.Helper()
	r, ok := d.value(key...).DocumentOK()
	if !ok {
		d.t.Fatalf("%v is %s, want document, in %s", key, d.value(key...).Type, d.raw)
	}
	return doc{d.t, r}
}

func wrap(t *testing.T, raws []bson.Raw) []doc {
	docs := make([]doc, len(raws))
	for i, r := range raws {
		docs[i] = doc{t, r}
	}
	return docs
}
