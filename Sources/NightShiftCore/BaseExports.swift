// Core's clients (the scripting layer, the executable, the tests) see the pure half through
// Core as well: its types appear in Core's public signatures.
@_exported import NightShiftBase
