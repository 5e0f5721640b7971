import Synchronization

/// Why a probe loop may end before its deadline: SIGINT/SIGTERM, or (wait_up's `any`) an
/// answer from any target, which may come from another group's thread.
final class ProbeStop: Sendable {
    private let interruption: Interruption?
    private let stopOnAnswer: Bool
    private let answered = Atomic<Bool>(false)

    init(interruption: Interruption?, stopOnAnswer: Bool) {
        self.interruption = interruption
        self.stopOnAnswer = stopOnAnswer
    }

    /// A target answered; with `stopOnAnswer` every loop sharing this stop ends.
    func noteAnswer() {
        if stopOnAnswer { answered.store(true, ordering: .relaxed) }
    }

    /// The signal that interrupted the probe, if any.
    var interruptedBy: Int32? { interruption?.signal }

    /// Whether the loops should end now.
    var shouldStop: Bool { interruptedBy != nil || answered.load(ordering: .relaxed) }
}
