/// The running total of replies the kernel dropped on a transport's sockets: each socket
/// reports its own cumulative count (SO_RXQ_OVFL) with a datagram; the tally adds the growth.
struct DropTally {
    /// Dropped datagrams over every socket so far.
    private(set) var total: UInt64 = 0
    private var lastCount: [Int32: UInt32] = [:]

    /// Adds what `datagram`'s drop count on `fd` grew by since that socket's last report.
    mutating func note(_ datagram: ReceivedDatagram, on fd: Int32) {
        guard let count = datagram.drops else { return }
        let previous = lastCount[fd] ?? 0
        if count != previous {
            total += UInt64(count &- previous)
            lastCount[fd] = count
        }
    }
}
