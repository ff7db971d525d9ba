package eventedit

import (
	"strings"
	"testing"
)

const origJSON = `{"event_id":"e-1","event_type":"execution_requested","event_version":"1.0",
"timestamp":"2024-05-01T12:00:00.000Z","aggregate_id":null,
"metadata":{"service_name":"api","service_version":"1.0.0","user_id":"u-1","environment":"test"},
"script":"print(1)","runtime_command":["python","-c"],"limits":{"cpu":1.0}}`

func mustParse(t *testing.T, s string) *Value {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

func TestIndentRoundTripsAndKeepsKeyOrderAndNumbers(t *testing.T) {
	v := mustParse(t, origJSON)
	again := mustParse(t, string(v.Indent()))
	if !Equal(v, again) || len(Diff(v, again)) != 0 {
		t.Fatalf("indent round trip changed the event:\n%s", v.Indent())
	}
	c := string(v.Compact())
	if !strings.HasPrefix(c, `{"event_id":"e-1","event_type"`) || !strings.Contains(c, `"cpu":1.0`) {
		t.Fatalf("compact lost key order or number text: %s", c)
	}
	if !strings.Contains(string(v.Indent()), "\n  \"metadata\": {\n    \"service_name\": \"api\"") {
		t.Fatalf("not indented by two spaces:\n%s", v.Indent())
	}
}

func TestParseRefusesWhatCannotBeStored(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	for name, in := range map[string]string{
		"duplicate key": `{"a":1,"a":2}`,
		"NUL key":       `{"a\u0000b":1}`,
		"trailing":      `{} {}`,
		"empty":         ``,
		"too deep":      deep,
		"broken":        `{"a":`,
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: %q parsed", name, in)
		}
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("%d levels refused: %v", MaxDepth, err)
	}
}

func TestParseSetTakesJSONElseString(t *testing.T) {
	for in, want := range map[string]string{
		"metadata.user_id=u-2":   `"u-2"`,
		`metadata.user_id="123"`: `"123"`,
		"exit_code=0":            `0`,
		"limits={\"cpu\":2}":     `{"cpu":2}`,
		"note=":                  `""`,
		"note=a=b":               `"a=b"`,
		"flag=true":              `true`,
		"script=<html>&":         `"<html>&"`,
	} {
		s, err := ParseSet(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := string(s.Value.Compact()); got != want {
			t.Errorf("%s: value %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"no-equals", "a..b=1", "=1", ".a=1"} {
		if _, err := ParseSet(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestApplySetsObjectKeysAndArrayIndexes(t *testing.T) {
	v := mustParse(t, origJSON)
	var sets []Set
	for _, s := range []string{"metadata.user_id=u-2", "runtime_command.0=python3", "runtime_command.2=x.py", "extra.deep.key=1"} {
		set, err := ParseSet(s)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, set)
	}
	if err := Apply(v, sets); err != nil {
		t.Fatal(err)
	}
	c := string(v.Compact())
	for _, want := range []string{`"user_id":"u-2"`, `"runtime_command":["python3","-c","x.py"]`, `"extra":{"deep":{"key":1}}`} {
		if !strings.Contains(c, want) {
			t.Errorf("missing %s in %s", want, c)
		}
	}
	for _, bad := range []string{"runtime_command.5=x", "runtime_command.a=x", "script.x=1", "runtime_command.3.x=1"} {
		set, _ := ParseSet(bad)
		if err := Apply(mustParse(t, origJSON), []Set{set}); err == nil {
			t.Errorf("%s applied", bad)
		}
	}
}

func TestValidateAcceptsAValidEdit(t *testing.T) {
	orig := mustParse(t, origJSON)
	edited := mustParse(t, strings.Replace(origJSON, `"u-1"`, `"u-2"`, 1))
	if err := Validate(orig, edited, 1<<20); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRefuses(t *testing.T) {
	orig := mustParse(t, origJSON)
	cases := map[string]struct{ from, to, want string }{
		"event_id changed":        {`"e-1"`, `"e-2"`, "event_id must not change"},
		"event_type changed":      {`"execution_requested"`, `"execution_failed"`, "event_type must not change"},
		"null user_id":            {`"u-1"`, `null`, "metadata.user_id must be a string"},
		"numeric user_id":         {`"u-1"`, `123`, `quote it: metadata.user_id='"123"'`},
		"bad timestamp":           {`"2024-05-01T12:00:00.000Z"`, `"yesterday"`, "timestamp must be an RFC 3339"},
		"missing version":         {`"event_version":"1.0",`, ``, "event_version is missing"},
		"bad environment":         {`"test"`, `"prod"`, "metadata.environment must be one of"},
		"aggregate_id not string": {`"aggregate_id":null`, `"aggregate_id":7`, "aggregate_id must be a string or null"},
		"metadata not object":     {`"metadata":{"service_name":"api","service_version":"1.0.0","user_id":"u-1","environment":"test"}`, `"metadata":[]`, "metadata must be an object"},
	}
	for name, c := range cases {
		edited := mustParse(t, strings.Replace(origJSON, c.from, c.to, 1))
		err := Validate(orig, edited, 1<<20)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	if err := Validate(orig, mustParse(t, `[1]`), 1<<20); err == nil || !strings.Contains(err.Error(), "want a JSON object, got array") {
		t.Errorf("array: %v", err)
	}
	if err := Validate(orig, mustParse(t, `{"event_type":"execution_requested"}`), 1<<20); err == nil || !strings.Contains(err.Error(), "event_id must not change (was \"e-1\", now absent)") {
		t.Errorf("removed event_id: %v", err)
	}
}

func TestValidateRefusesAnEventOverTheSizeLimit(t *testing.T) {
	orig := mustParse(t, origJSON)
	n := len(orig.Compact())
	if err := Validate(orig, orig, n); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
	if err := Validate(orig, orig, n-1); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("one byte over: %v", err)
	}
}

func TestDiffListsChangedPathsWithOldAndNew(t *testing.T) {
	a := mustParse(t, origJSON)
	b := mustParse(t, strings.NewReplacer(`"u-1"`, `"u-2"`, `["python","-c"]`, `["python3"]`, `"script":"print(1)",`, ``, `"cpu":1.0}`, `"cpu":1.0},"note":"x"`).Replace(origJSON))
	got := Diff(a, b)
	want := []Change{
		{Path: "metadata.user_id", Old: []byte(`"u-1"`), New: []byte(`"u-2"`)},
		{Path: "script", Old: []byte(`"print(1)"`)},
		{Path: "runtime_command.0", Old: []byte(`"python"`), New: []byte(`"python3"`)},
		{Path: "runtime_command.1", Old: []byte(`"-c"`)},
		{Path: "note", New: []byte(`"x"`)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d changes %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].Path != want[i].Path || string(got[i].Old) != string(want[i].Old) || string(got[i].New) != string(want[i].New) {
			t.Errorf("change %d: got %s %s -> %s, want %s %s -> %s", i, got[i].Path, got[i].Old, got[i].New, want[i].Path, want[i].Old, want[i].New)
		}
	}
	if d := Diff(a, mustParse(t, origJSON)); len(d) != 0 {
		t.Fatalf("identical events differ: %+v", d)
	}
}

func TestDiffOfAReplacedContainerIsOneChange(t *testing.T) {
	d := Diff(mustParse(t, `{"a":{"x":1}}`), mustParse(t, `{"a":[1]}`))
	if len(d) != 1 || d[0].Path != "a" || string(d[0].New) != "[1]" {
		t.Fatalf("got %+v", d)
	}
}

func TestShortTruncatesLongValues(t *testing.T) {
	if got := Short([]byte(`"abcdefghij"`), 6); got != `"abcd…` {
		t.Fatalf("got %s", got)
	}
	if got := Short(nil, 6); got != "(absent)" {
		t.Fatalf("got %s", got)
	}
}
