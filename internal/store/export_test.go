package store

// CollStatsCount exposes the statistics path alone, so a test can tell it
// works on the embedded server rather than falling back to a scan.
var CollStatsCount = collStatsCount

// CoordinationOptions exposes the settings every coordination handle gets,
// so a test can check the read preference, which the driver never puts on
// the wire to a standalone server such as the embedded one.
var CoordinationOptions = coordinationOptions
