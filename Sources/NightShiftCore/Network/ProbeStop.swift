import Synchronization

/// Why a probe loop may end before its deadline: SIGINT/SIGTERM, or (wait_up's `any`) an
/// answer from any target, which may come from another group's thread. With `sharesAnswers`,
/// an address that answered one probe (ARP) is decided for the loops asking it another way
/// (ICMP), so a wait for a PC that drops ping ends when ARP sees it, not at the timeout.
final class ProbeStop: Sendable {
    private let interruption: Interruption?
    private let stopOnAnswer: Bool
    private let answered = Atomic<Bool>(false)
    private let sharesAnswers: Bool
    private let answeredAddresses = Mutex<Set<String>>([])
    /// How many addresses answered so far: loops look at the set only when it grew.
    private let answerCount = Atomic<Int>(0)

    init(interruption: Interruption?, stopOnAnswer: Bool, sharesAnswers: Bool = false) {
        self.interruption = interruption
        self.stopOnAnswer = stopOnAnswer
        self.sharesAnswers = sharesAnswers
    }

    /// A target answered; with `stopOnAnswer` every loop sharing this stop ends.
    func noteAnswer(_ address: String? = nil) {
        if stopOnAnswer { answered.store(true, ordering: .relaxed) }
        if sharesAnswers, let address {
            let added = answeredAddresses.withLock { $0.insert(address).inserted }
            if added { answerCount.add(1, ordering: .releasing) }
        }
    }

    /// The number of answered addresses, to compare with the last one a loop saw.
    var answersSoFar: Int { sharesAnswers ? answerCount.load(ordering: .acquiring) : 0 }

    /// Whether `address` answered in any loop sharing this stop.
    func hasAnswered(_ address: String) -> Bool {
        sharesAnswers && answeredAddresses.withLock { $0.contains(address) }
    }

    /// The signal that interrupted the probe, if any.
    var interruptedBy: Int32? { interruption?.signal }

    /// Whether the loops should end now.
    var shouldStop: Bool { interruptedBy != nil || answered.load(ordering: .relaxed) }
}
