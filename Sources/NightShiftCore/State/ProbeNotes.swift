/// How one host's probe went at a sweep, for the status page.
public struct ProbeNote: Equatable, Sendable {
    /// In words: "answered (icmp, 0.4 ms)", "no answer", "cannot tell: ...".
    public var text: String
    /// The probe could not be made here: neither up nor down.
    public var unknown: Bool

    /// Creates a note.
    public init(text: String, unknown: Bool) {
        self.text = text
        self.unknown = unknown
    }
}

extension NightShiftState {
    /// Keeps each swept host's probe note. A host whose probe was unknown keeps its last
    /// known up/down (the trigger never reads that as offline) but shows as unknown.
    public mutating func recordProbeNotes(_ notes: [String: ProbeNote]) {
        for (name, note) in notes {
            var host = hosts[name] ?? HostState()
            host.probe = String(note.text.prefix(300))
            host.probeUnknown = note.unknown ? true : nil
            hosts[name] = host
        }
    }
}
