package contract

import (
	"testing"
	"time"
)

// BenchmarkReplayEncoding is the engine's per-event work in this package:
// parse the routing fields, then encode the JSON value; "reference" is
// the implementation before the transcoder (issue 11), for comparison;
// "one walk" does both in one read of the document.
func BenchmarkReplayEncoding(b *testing.B) {
	docs := transcodeSamples(&testing.T{})[4:] // the seeded events of the golden input
	if len(docs) == 0 {
		b.Skip("no golden input")
	}
	now := time.Now()
	at := AppendTime(nil, now)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.Run("transcoder", func(b *testing.B) {
		buf := make([]byte, 0, 4096)
		b.SetBytes(int64(size / len(docs)))
		b.ReportAllocs()
		for i := range b.N {
			d := docs[i%len(docs)]
			if _, err := ParseStoredEvent(d); err != nil {
				b.Fatal(err)
			}
			var err error
			if buf, err = AppendEventJSONAt(buf[:0], d, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one walk", func(b *testing.B) {
		buf := make([]byte, 0, 4096)
		var strs Strings
		b.SetBytes(int64(size / len(docs)))
		b.ReportAllocs()
		for i := range b.N {
			var perr, eerr error
			if _, buf, perr, eerr = ParseAndAppendEventJSON(buf[:0], docs[i%len(docs)], at, &strs); perr != nil || eerr != nil {
				b.Fatal(perr, eerr)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.SetBytes(int64(size / len(docs)))
		b.ReportAllocs()
		for i := range b.N {
			d := docs[i%len(docs)]
			if _, err := referenceParse(d); err != nil {
				b.Fatal(err)
			}
			if _, err := appendEventJSONRef(make([]byte, 0, len(d)+64), d, &now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
