/// One SNTP measurement: the offset and round-trip delay in seconds, the server's stratum and time.
public struct SNTPSample: Sendable, Equatable {
    /// Seconds to add to the local clock to match the server's.
    public var offset: Double
    /// Round-trip delay of the exchange, in seconds, less the server's processing time.
    public var delay: Double
    /// The server's stratum (1 = reference clock, 2-15 = synchronised via others).
    public var stratum: Int
    /// The server's time at the moment the answer arrived, as seconds since 1970.
    public var time: Double
    /// The server's leap indicator (0 none, 1 and 2 announce a leap second).
    public var leap: Int
    /// The server's reference identifier: a 4-letter source for stratum 1, else an address.
    public var referenceID: String

    /// A sample as the client computes it.
    public init(offset: Double, delay: Double, stratum: Int, time: Double, leap: Int = 0, referenceID: String = "") {
        self.offset = offset
        self.delay = delay
        self.stratum = stratum
        self.time = time
        self.leap = leap
        self.referenceID = referenceID
    }
}
