package store

// CollStatsCount exposes the statistics path alone, so a test can tell it
// works on the embedded server rather than falling back to a scan.
var CollStatsCount = collStatsCount
