package verify

import (
	"bytes"
	"encoding/hex"
	"hash/fnv"
	"slices"
)

// key is an event id in 16 bytes: the UUID itself when the id is a
// canonical (lowercase, hyphenated) UUID, as the contract's ids are, or else
// the 128-bit FNV-1a hash of the id. Two different non-UUID ids share a key
// with probability about n²/2¹²⁹: for n = 10 million, ~1.5e-25.
type key [16]byte

// keyOf returns id's key and whether id is a canonical UUID (so the key
// alone gives the id back).
func keyOf(id string) (key, bool) {
	if k, ok := parseUUID(id); ok {
		return k, true
	}
	h := fnv.New128a()
	_, _ = h.Write([]byte(id))
	var k key
	h.Sum(k[:0])
	return k, false
}

// parseUUID accepts only the canonical form, so that formatting the key
// gives back the very string the event store holds.
func parseUUID(s string) (key, bool) {
	var k key
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return k, false
	}
	var hexs [32]byte
	n := 0
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return k, false
		}
		hexs[n] = c
		n++
	}
	if _, err := hex.Decode(k[:], hexs[:]); err != nil {
		return k, false
	}
	return k, true
}

// formatUUID renders a UUID key; unlike uuid.Format it keeps every bit.
func formatUUID(k key) string {
	h := hex.EncodeToString(k[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// idSet is the expected events in replay order, with an index sorted by
// key for lookups and a delivery count per event: 16 + 4 + 4 bytes per
// event, plus the original string of every id that is not a UUID.
type idSet struct {
	keys   []key    // replay order
	order  []uint32 // indexes into keys, sorted by key
	copies []uint32 // deliveries seen per event, by replay index
	names  map[key]string
	dupKey int64 // ids that appeared twice in the selection (a corrupt store)
}

func newIDSet(capacity int) *idSet {
	return &idSet{keys: make([]key, 0, capacity), names: map[key]string{}}
}

// add appends the next expected event in replay order.
func (s *idSet) add(id string) {
	k, isUUID := keyOf(id)
	if !isUUID {
		s.names[k] = id
	}
	s.keys = append(s.keys, k)
}

// seal builds the lookup index; no add after it.
func (s *idSet) seal() {
	s.order = make([]uint32, len(s.keys))
	for i := range s.order {
		s.order[i] = uint32(i)
	}
	slices.SortFunc(s.order, func(a, b uint32) int {
		if c := bytes.Compare(s.keys[a][:], s.keys[b][:]); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	for i := 1; i < len(s.order); i++ {
		if s.keys[s.order[i]] == s.keys[s.order[i-1]] {
			s.dupKey++
		}
	}
	s.copies = make([]uint32, len(s.keys))
}

// find returns the replay index of the first expected event with key k,
// or -1.
func (s *idSet) find(k key) int {
	i, ok := slices.BinarySearchFunc(s.order, k, func(idx uint32, k key) int {
		return bytes.Compare(s.keys[idx][:], k[:])
	})
	if !ok {
		return -1
	}
	return int(s.order[i])
}

// name is the id string of the event with key k.
func (s *idSet) name(k key) string {
	if n, ok := s.names[k]; ok {
		return n
	}
	return formatUUID(k)
}

func (s *idSet) len() int { return len(s.keys) }
