package contracttest

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestCheckJSONReportsMissingWrongAndForbiddenFields(t *testing.T) {
	s := Schema{Name: "k", Fields: []Field{
		F("id", UUID), F("n", Int), F("at", Date), F("maybe", String, Null),
		Enum("env", Environments...), F("meta.user_id", String), F("h", StringMap),
	}, Absent: []string{"_id"}}
	good := `{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","n":3,"at":"2026-11-30T08:00:00.000Z","maybe":null,
		"env":"test","meta":{"user_id":"u"},"h":{"a":"b"}}`
	if errs := CheckJSON(s, []byte(good)); len(errs) != 0 {
		t.Fatalf("a conforming record: %v", errs)
	}
	bad := `{"_id":"x","id":"nope","n":3.5,"at":"yesterday","env":"prod","meta":{"user_id":null},"h":{"a":1}}`
	errs := CheckJSON(s, []byte(bad))
	var text []string
	for _, e := range errs {
		text = append(text, e.Error())
	}
	joined := strings.Join(text, "\n")
	for _, want := range []string{"field id", "field n", "field at", "missing required field maybe", "field env", "field meta.user_id", "field h", "carries _id"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no error for %q in:\n%s", want, joined)
		}
	}
}

func TestCheckBSONAcceptsTheContractTypes(t *testing.T) {
	s := Schema{Name: "k", Fields: []Field{F("n", Int), F("at", Date), F("gone", Date, Null), F("tags", StringArray)}}
	doc, err := bson.Marshal(bson.D{{Key: "n", Value: int64(1)}, {Key: "at", Value: time.Now()}, {Key: "gone", Value: nil},
		{Key: "tags", Value: bson.A{"a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if errs := CheckBSON(s, doc); len(errs) != 0 {
		t.Errorf("conforming document: %v", errs)
	}
	doc, _ = bson.Marshal(bson.D{{Key: "n", Value: "1"}, {Key: "at", Value: "2026-01-01"}, {Key: "tags", Value: bson.A{1}}})
	if errs := CheckBSON(s, doc); len(errs) != 4 {
		t.Errorf("want 4 errors (n, at, gone, tags), got %v", errs)
	}
}
