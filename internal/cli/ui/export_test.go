package uicmd

// ScriptCommands is the no-terminal hint, for the external test that checks
// each command it names exists.
const ScriptCommands = scriptCommands
