package flagvalue

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/integr8scode/replayctl/internal/fault"
)

func TestListTrimsAndDedupes(t *testing.T) {
	got, err := List("topic", []string{" a", "b ", "a", "c"})
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("List = %q, %v", got, err)
	}
	if got, err := List("topic", nil); got != nil || err != nil {
		t.Errorf("List(nil) = %q, %v", got, err)
	}
}

func TestListRejectsEmptyElements(t *testing.T) {
	for _, in := range [][]string{{"a", "", "b"}, {"a", " "}, {""}} {
		_, err := List("type", in)
		if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "for --type: empty element") {
			t.Errorf("List(%q) error = %v", in, err)
		}
	}
}

func TestChoicesIsCaseInsensitiveAndNamesTheValidOnes(t *testing.T) {
	valid := []string{"pending", "scheduled", "retried", "discarded"}
	got, err := Choices("status", []string{"PENDING", "retried", "Pending"}, valid)
	if err != nil || !reflect.DeepEqual(got, []string{"pending", "retried"}) {
		t.Errorf("Choices = %q, %v", got, err)
	}
	_, err = Choices("status", []string{"pending", "done"}, valid)
	want := `invalid value "done" for --status: want one of pending, scheduled, retried, discarded`
	if err == nil || err.Error() != want || fault.KindOf(err) != fault.Invalid {
		t.Errorf("Choices error = %v; want %q", err, want)
	}
}

func TestChoiceReturnsTheCanonicalSpelling(t *testing.T) {
	if got, err := Choice("output", " JSON ", []string{"table", "json", "yaml"}); got != "json" || err != nil {
		t.Errorf("Choice = %q, %v", got, err)
	}
}

func TestEventTypesRefusesUnknownUnlessAllowed(t *testing.T) {
	got, err := EventTypes("type", []string{"pod_failed", " execution_failed"}, false)
	if err != nil || !reflect.DeepEqual(got, []string{"pod_failed", "execution_failed"}) {
		t.Errorf("EventTypes = %q, %v", got, err)
	}
	_, err = EventTypes("exclude-type", []string{"execution_faild"}, false)
	if fault.KindOf(err) != fault.Invalid ||
		!strings.HasPrefix(err.Error(), `invalid value "execution_faild" for --exclude-type: unknown event type; did you mean execution_failed`) ||
		!errors.As(err, new(*UnknownTypeError)) {
		t.Errorf("EventTypes error = %v", err)
	}
	if got, err := EventTypes("type", []string{"brand_new"}, true); err != nil || !reflect.DeepEqual(got, []string{"brand_new"}) {
		t.Errorf("EventTypes allowed = %q, %v", got, err)
	}
	if _, err := EventTypes("type", []string{"brand_new", ""}, true); err == nil {
		t.Error("an empty element passed because unknown types were allowed")
	}
}
