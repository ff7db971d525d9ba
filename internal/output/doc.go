// Package output is the single presentation layer for replayctl commands.
//
// Business code returns plain data (structs with json tags, optionally
// implementing TableView or DetailView); this package decides how that data
// reaches the user: aligned tables on a terminal, tab-separated values when
// piped, or JSON/YAML when asked for. Keeping all rendering here means every
// command gets consistent colour handling, NO_COLOR support, width fitting
// and machine-readable output for free.
//
// Nothing in this package holds global mutable state: everything hangs off an
// *IOStreams that the command tree creates once (System) or that tests create
// per case (Test).
package output
